// @vitest-environment node
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { WebSocketServer } from 'ws'
import type { ProgressHub } from '../../src/server/index'
import { startClient, waitFor } from './scenario'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** The README's Node server example, verbatim but for where it imports from and the port it listens on. */
function readmeServerModule(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const block = /Server \(Node, with `ws`\):\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('README has no "Server (Node, with `ws`)" ts block')
  const listen = 'new WebSocketServer({ port: 8080 })'
  if (!block.includes(listen)) throw new Error(`README's server example no longer says ${listen}`)
  const ws = join(dirname(createRequire(import.meta.url).resolve('ws')), 'wrapper.mjs')
  return `${block
    .replace("from 'live-progress/server'", `from '${join(root, 'src/server/index.ts')}'`)
    .replace("from 'ws'", `from '${ws}'`)
    .replace(listen, 'wss')
    .replace(
      /^(import .*\n)+/,
      (imports) => `${imports}export const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })\n`,
    )}\nexport { hub }\n`
}

describe("README's server example", () => {
  it('runs as written, and a live client that follows its run afterwards sees it completed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'readme-server-'))
    const file = join(dir, 'server.ts')
    writeFileSync(file, readmeServerModule())
    const example = (await import(/* @vite-ignore */ file)) as { hub: ProgressHub; wss: WebSocketServer }
    // The example does not wait for the server to listen; its run is complete either way.
    if (example.wss.address() === null) await once(example.wss, 'listening')
    const address = example.wss.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const client = startClient(`ws://127.0.0.1:${port}`)
    try {
      expect(example.hub.state('report-42')?.status).toBe('completed')
      client.follow('report-42')
      const view = await waitFor(
        () => {
          const run = client.store.getState().runs['report-42']
          return run?.status === 'completed' ? run : undefined
        },
        5000,
        'the example run to reach the client',
      )
      expect(view).toMatchObject({ displayed: 1, progress: 1, confidence: 'high', confidenceReason: 'final' })
      expect(view.phases.map((phase) => phase.id)).toEqual(['search', 'write'])
      expect(view.phases[0]).toMatchObject({ status: 'done', tasks: [{ id: 'arxiv', done: 3, total: 10 }] })
      // `write` was still active at `complete()`: the end closed it (v1.1 decision 3), nothing reads "In progress".
      expect(view.phases[1]).toMatchObject({ status: 'done', interrupted: true })
      expect(view.phases).toEqual(example.hub.state('report-42')?.phases)
    } finally {
      client.close()
      await example.hub.close()
      await new Promise<void>((resolve) => example.wss.close(() => resolve()))
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
