import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const demoRoot = fileURLToPath(new URL('.', import.meta.url))
export const pageDir = join(demoRoot, 'dist')
const projectRoot = join(demoRoot, '..')

// Newest modification time under `dir` (skipping build output and dependencies).
function newest(dir: string): number {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

/** Is the built page missing or older than its sources (demo/ and src/)? */
export function pageIsStale(): boolean {
  const index = join(pageDir, 'index.html')
  if (!existsSync(index)) return true
  const built = statSync(index).mtimeMs
  return newest(demoRoot) > built || newest(join(projectRoot, 'src')) > built
}

/** Builds the demo page with Vite's `build()` API when it is missing or stale; returns whether it built. */
export async function ensurePageBuilt(options: { force?: boolean; log?: (line: string) => void } = {}) {
  if (!options.force && !pageIsStale()) return false
  options.log?.('Building the demo page…')
  const { build } = await import('vite')
  await build({ configFile: join(demoRoot, 'vite.config.ts'), logLevel: 'warn' })
  return true
}
