// @vitest-environment node
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSseTransport, type EventSourceConstructor } from '../../src/client/adapters/index'
import { createProgressClient, type ProgressClient } from '../../src/client/index'
import { ev } from '../support/logs'
import { NodeEventSource } from '../support/nodeEventSource'

let server: Server
let client: ProgressClient | null = null

afterEach(async () => {
  client?.close()
  for (const source of NodeEventSource.made.splice(0)) source.close()
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('SSE transport resync', () => {
  it('a hole that stays open reopens the run stream at ?epoch=&after= and the missing event fills it', async () => {
    const log = [
      ev('run_started', 1, { plan: [{ id: 'a', label: 'A', weight: 1 }] }),
      ev('phase_started', 2, { phase: 'a' }),
      ev('phase_progress', 3, { phase: 'a', done: 1, total: 4 }),
      ev('phase_progress', 4, { phase: 'a', done: 2, total: 4 }),
    ]
    const urls: string[] = []
    // A scripted server: the first answer loses seq 3 on the way; later ones replay after `after`.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      urls.push(`${url.pathname}${url.search}`)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      const after = Number(url.searchParams.get('after') ?? 0)
      const frames = urls.length === 1 ? log.filter((e) => e.seq !== 3) : log.filter((e) => e.seq > after)
      for (const frame of frames)
        res.write(`id: ${frame.seq}\nevent: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sse`
    client = createProgressClient({
      transport: (handlers) =>
        createSseTransport(handlers, {
          url: base,
          EventSource: NodeEventSource as unknown as EventSourceConstructor,
        }),
      flush: 'sync',
      gapTimeoutMs: 50,
    })
    client.follow('run-1')
    const until = Date.now() + 5000
    while (client.store.getState().runs['run-1']?.seq !== 4 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const run = client.store.getState().runs['run-1']
    expect(run?.seq).toBe(4)
    expect(run?.phases[0]).toMatchObject({ done: 2, total: 4 })
    expect(client.stats().resyncs).toBe(1)
    expect(urls).toEqual(['/sse?run=run-1', '/sse?run=run-1&epoch=e1&after=2'])
    // seq 4 came twice (held, then replayed): applied once.
    expect(run?.stats.duplicates).toBe(1)
  })
})
