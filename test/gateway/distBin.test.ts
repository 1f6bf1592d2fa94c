// @vitest-environment node
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../../bench/size'
import { connectClient, plan } from '../server/wire'
import { post, startServe } from './startServe'

/** Newest modification time under `dir` (ms). */
function newest(dir: string): number {
  let time = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return time
}

// Builds the package once when dist/ is missing or older than the sources (a fresh clone in CI always builds).
beforeAll(() => {
  const cli = join(repoRoot, 'dist', 'cli.js')
  const sources = Math.max(
    newest(join(repoRoot, 'src')),
    statSync(join(repoRoot, 'package.json')).mtimeMs,
    statSync(join(repoRoot, 'vite.config.ts')).mtimeMs,
  )
  if (!existsSync(cli) || statSync(cli).mtimeMs < sources) {
    execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'pipe', timeout: 240_000 })
  }
}, 250_000)

describe('the built bin (dist/cli.js) as npx runs it', () => {
  it('is package.json’s bin, a node script whose bare imports are all runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
      bin: Record<string, string>
      dependencies: Record<string, string>
    }
    expect(pkg.bin['live-progress']).toBe('./dist/cli.js')
    expect(readFileSync(join(repoRoot, 'dist', 'cli.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    for (const dep of ['ws', 'jose', 'prom-client', 'valibot']) expect(pkg.dependencies[dep]).toBeDefined()
  })

  it('serves with plain node: publish over HTTP, follow over WebSocket, exit 0 on SIGTERM', async () => {
    const serve = await startServe(['--publish-key', 'k'], { bin: 'dist' })
    try {
      const viewer = await connectClient(serve.ws)
      viewer.send({ v: 1, type: 'subscribe', run: 'dist' })
      const events = [
        { type: 'run_started', plan },
        { type: 'phase_started', phase: 'search' },
        { type: 'run_completed' },
      ]
      const answer = await post(serve.base, 'dist', { events }, { authorization: 'Bearer k' })
      expect(answer).toMatchObject({ status: 200, body: { seq: 3 } })
      await viewer.waitFor((f) => f.type === 'run_completed')
      expect(await (await fetch(`${serve.base}/metrics`)).text()).toContain(
        'live_progress_hub_events_total 3',
      )
      await viewer.close()
    } finally {
      expect(await serve.stop()).toBe(0)
    }
  })
})
