// @vitest-environment node
import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import {
  createResearchProgressAdapter,
  createSseTransport,
  type EventSourceConstructor,
} from '../../src/client/adapters/index'
import { createProgressClient, type ProgressClient } from '../../src/client/index'
import recorded from '../adapters/fixtures/research_progress.json'
import { NodeEventSource } from '../support/nodeEventSource'

const RUN = 'rsch_01HZX4K7Q2V9'
let server: Server
const sockets = new Set<Socket>()
const clients: ProgressClient[] = []

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const source of NodeEventSource.made.splice(0)) source.close()
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

async function waitFor(check: () => boolean, what: string, ms = 5000) {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('an adapter client over an SSE stream of a legacy backend', () => {
  it('survives a dropped stream that the backend replays from the start: duplicates dropped, ends at 1', async () => {
    // The legacy backend: unnamed `data:` events, no ids, and after a reconnect it simply starts over.
    const requests: string[] = []
    const streams: ServerResponse[] = []
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      streams.push(res)
    })
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/legacy/stream`
    const send = (res: ServerResponse, from: number, to: number) => {
      for (const message of recorded.messages.slice(from, to))
        res.write(`data: ${JSON.stringify(message)}\n\n`)
    }
    const client = createProgressClient({
      transport: (handlers) =>
        createSseTransport(handlers, {
          url,
          mode: 'stream',
          EventSource: NodeEventSource as unknown as EventSourceConstructor,
          reconnect: { minReconnectionDelay: 10, maxReconnectionDelay: 20 },
        }),
      adapter: createResearchProgressAdapter({ plan: recorded.plan }),
      flush: 'sync',
    })
    clients.push(client)
    const displayed: number[] = []
    client.store.subscribe((state) => {
      const run = state.runs[RUN]
      if (run && displayed.at(-1) !== run.displayed) displayed.push(run.displayed)
    })
    // The stream opens when the page first wants a run (the React parts follow the runs they show).
    client.follow(RUN)
    const run = () => client.store.getState().runs[RUN]

    await waitFor(() => streams.length === 1, 'the stream')
    send(streams[0]!, 0, 20)
    await waitFor(() => run()?.phases.find((p) => p.id === 'read')?.status === 'active', 'the first part')
    expect(run()?.confidenceReason).toBe('unordered')
    for (const socket of sockets) socket.destroy()
    await waitFor(() => streams.length === 2, 'the reconnect')
    send(streams[1]!, 0, recorded.messages.length)
    await waitFor(() => run()?.status === 'completed', 'completion')

    expect(run()?.displayed).toBe(1)
    expect(run()?.stats.duplicates).toBe(20)
    expect(run()?.stats.rejected).toBe(0)
    for (let i = 1; i < displayed.length; i++) expect(displayed[i]!).toBeGreaterThanOrEqual(displayed[i - 1]!)
    // Nothing but the two GETs of the stream: the client sent no protocol frame to a backend that has none.
    expect(requests).toEqual(['GET /legacy/stream', 'GET /legacy/stream'])
  })
})
