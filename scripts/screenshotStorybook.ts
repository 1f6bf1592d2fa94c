/**
 * `npx tsx scripts/screenshotStorybook.ts [--build] [out.png]`: the Chaos story in the built Storybook, mid-run,
 * → docs/storybook.png (for the README). Builds storybook-static first when it is missing (or with --build),
 * serves it on 127.0.0.1 (a free port) and drives the system Chromium with playwright-core.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { chromiumLaunchOptions } from './chromium'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const staticDir = join(root, 'storybook-static')
const args = process.argv.slice(2)
const out = args.find((arg) => !arg.startsWith('--')) ?? join(root, 'docs', 'storybook.png')
// The story at a watchable pace with visible chaos; the same seed gives the same picture.
const STORY = 'chaos--simulator'
const ARGS = 'messageRate:3;reorder:0.25;duplicate:0.1;drop:0.03;seed:7'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

/** Serves `dir` read-only on 127.0.0.1 at a free port. */
async function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)
    const file = normalize(join(dir, path.endsWith('/') ? `${path}index.html` : path))
    if (!file.startsWith(dir + sep)) return void response.writeHead(403).end()
    try {
      const body = await readFile(file)
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      response.end(body)
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/`, server }
}

if (args.includes('--build') || !existsSync(join(staticDir, 'iframe.html'))) {
  console.log('Building Storybook…')
  execFileSync('npm', ['run', 'build-storybook'], { cwd: root, stdio: 'inherit' })
}

const { url, server } = await serve(staticDir)
const browser = await chromium.launch(chromiumLaunchOptions)
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 }, colorScheme: 'light' })
  const failures: string[] = []
  page.on('pageerror', (error) => failures.push(error.message))
  await page.goto(`${url}iframe.html?id=${STORY}&viewMode=story&args=${ARGS}`)
  // Late in the run: the agent at work (estimated, striped), and the naive bar caught behind the kit's.
  // A string, not a function: tsx would wrap named inner functions in a helper the page does not have.
  await page.waitForFunction(
    `(() => {
      const percent = (selector) => Number(document.querySelector(selector)?.getAttribute('aria-valuenow') ?? 0)
      const kit = percent('.lp-bar')
      return kit >= 75 && kit < 95 && percent('[data-testid="naive-bar"]') < kit - 5 && document.querySelector('.lp-feed')
    })()`,
    undefined,
    { timeout: 60_000, polling: 100 },
  )
  if (failures.length > 0) throw new Error(`the story threw: ${failures.join('; ')}`)
  mkdirSync(dirname(out), { recursive: true })
  await page.locator('.story-chaos').screenshot({ path: out })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
  server.close()
}
