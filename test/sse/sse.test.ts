// @vitest-environment node
import { createServer, get, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createProgressClient, type ProgressClient } from '../../src/client/index'
import { decodeFrame } from '../../src/protocol/codec'
import { createProgressHub, createSseHandler, type ProgressHub } from '../../src/server/index'
import { createSseTransport, type EventSourceConstructor } from '../../src/transport/createSseTransport'
import { NodeEventSource } from '../support/nodeEventSource'

const FAST = { minReconnectionDelay: 10, maxReconnectionDelay: 40, minUptime: 40 }
const plan = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'write', label: 'Write', weight: 1 },
]
const EventSource = NodeEventSource as unknown as EventSourceConstructor

let hub: ProgressHub<IncomingMessage>
let server: Server
let url: string
const sockets = new Set<Socket>()
const clients: ProgressClient[] = []

async function start(options: Parameters<typeof createProgressHub<IncomingMessage>>[0] = {}) {
  hub = createProgressHub<IncomingMessage>({ heartbeatMs: 50, ...options })
  const sse = createSseHandler(hub, { retryMs: 20 })
  server = createServer((req, res) => {
    if (req.url?.startsWith('/progress/sse')) sse(req, res)
    else res.writeHead(404).end()
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/progress/sse`
}

/** Kills every open connection from the server side, as a proxy timeout or a network drop would. */
const killConnections = () => {
  for (const socket of sockets) socket.destroy()
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  for (const source of NodeEventSource.made.splice(0)) source.close()
  killConnections()
  await hub.close()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

async function waitFor(check: () => boolean, what: string, ms = 5000) {
  const until = Date.now() + ms
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

function sseClient() {
  const client = createProgressClient({
    transport: (handlers) => createSseTransport(handlers, { url, EventSource, reconnect: FAST }),
    flush: 'sync',
    gapTimeoutMs: 200,
  })
  clients.push(client)
  const displayed: number[] = []
  const statuses: string[] = []
  client.store.subscribe((state, previous) => {
    if (state.connection.status !== previous.connection.status) statuses.push(state.connection.status)
    const run = state.runs['run-1']
    if (run && displayed.at(-1) !== run.displayed) displayed.push(run.displayed)
  })
  return { client, displayed, statuses, run: () => client.store.getState().runs['run-1'] }
}

/** Reads a raw SSE response for a while and returns its text and status. */
function fetchText(path: string, ms = 150, method = 'GET') {
  return new Promise<{ status: number; type: string; text: string }>((resolve, reject) => {
    const request = get(`${url}${path}`, { method }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        text += chunk
      })
      const done = () =>
        resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']), text })
      response.on('end', done)
      setTimeout(() => {
        request.destroy()
        done()
      }, ms)
    })
    request.on('error', reject)
  })
}

describe('SSE end to end against the hub on loopback', () => {
  it('delivers live events, resumes after a killed connection by replay, without duplicates, and ends at 1', async () => {
    await start()
    const publisher = hub.run('run-1')
    const { client, displayed, statuses, run } = sseClient()
    client.follow('run-1')
    await waitFor(() => hub.metrics().connections === 1, 'the stream')
    await publisher.start(plan)
    await publisher.phaseStarted('search')
    for (let done = 1; done <= 4; done++) await publisher.phaseProgress('search', done, 10)
    await waitFor(() => run()?.seq === publisher.head, 'the live events')
    expect(run()?.phases[0]).toMatchObject({ done: 4, total: 10 })

    killConnections()
    // The reconnect may be quick: watch the transitions rather than poll the status.
    await waitFor(() => statuses.includes('reconnecting'), 'the loss to be noticed')
    // Published while the client is away: the resume must bring exactly these.
    for (let done = 5; done <= 10; done++) await publisher.phaseProgress('search', done, 10)
    await publisher.transition('search', 'write')
    await waitFor(() => run()?.seq === publisher.head, 'the resume')

    expect(client.stats().resumes).toBeGreaterThanOrEqual(1)
    expect(hub.metrics().replays).toBeGreaterThanOrEqual(1)
    expect(hub.metrics().snapshotsSent).toBe(0)
    expect(run()?.stats.duplicates).toBe(0)
    expect(run()?.stats.gaps).toBe(0)
    expect(run()?.phases).toEqual(hub.state('run-1')?.phases)

    await publisher.phaseCompleted('write')
    await publisher.complete()
    await waitFor(() => run()?.status === 'completed', 'completion')
    expect(run()?.displayed).toBe(1)
    for (let i = 1; i < displayed.length; i++) expect(displayed[i]!).toBeGreaterThanOrEqual(displayed[i - 1]!)
  })

  it('a plain EventSource resumes by Last-Event-ID: the server replays what it missed, no duplicates', async () => {
    await start()
    const publisher = hub.run('run-1')
    await publisher.start(plan)
    await publisher.phaseStarted('search')
    const source = new NodeEventSource(`${url}?run=run-1&epoch=${encodeURIComponent(publisher.epoch)}`)
    const seqs: number[] = []
    const ids: string[] = []
    for (const type of ['snapshot', 'phase_progress', 'run_started', 'phase_started', 'phase_completed']) {
      source.addEventListener(type, (event) => {
        const decoded = decodeFrame(event.data)
        if (decoded.ok && 'seq' in decoded.frame) seqs.push(decoded.frame.seq)
        ids.push(event.lastEventId ?? '')
      })
    }
    // No resume point at first: a snapshot as of seq 2.
    await waitFor(() => seqs.length === 1, 'the snapshot')
    await publisher.phaseProgress('search', 1, 3)
    await waitFor(() => seqs.length === 2, 'a live event')
    killConnections()
    await publisher.phaseProgress('search', 2, 3)
    await publisher.phaseProgress('search', 3, 3)
    await publisher.phaseCompleted('search')
    await waitFor(() => seqs.at(-1) === publisher.head, 'the replay')
    expect(source.sentLastEventIds).toEqual(['', '3'])
    expect(seqs).toEqual([2, 3, 4, 5, 6])
    expect(ids).toEqual(['2', '3', '4', '5', '6'])
    expect(hub.metrics().replays).toBe(1)
  })

  it('writes id: <seq>, event: <type>, one data line; heartbeats carry no id; hub errors are protocol_error', async () => {
    await start({ authorize: (_req, runId) => runId !== 'secret' })
    const publisher = hub.run('run-1')
    await publisher.start(plan)
    const stream = await fetchText('?run=run-1', 150)
    expect(stream.status).toBe(200)
    expect(stream.type).toMatch(/^text\/event-stream/)
    // v1.1: the acknowledgement goes out first, as its own named event without an id.
    expect(stream.text).toMatch(
      /^retry: 20\n\nevent: subscribed\ndata: \{[^\n]*"head":1[^\n]*"heartbeatMs":50/,
    )
    expect(stream.text).toContain('id: 1\nevent: snapshot\ndata: {')
    expect(stream.text).toMatch(/\n\nevent: heartbeat\ndata: \{[^\n]*"head":1/)
    const forbidden = await fetchText('?run=secret', 80)
    expect(forbidden.text).toMatch(/event: protocol_error\ndata: \{[^\n]*"code":"forbidden"/)
    expect((await fetchText('', 80)).status).toBe(400)
    expect((await fetchText('?run=run-1', 80, 'POST')).status).toBe(405)
  })

  it('one stream per followed run: unfollow closes it, a refused run comes back as a counted server error', async () => {
    await start({ authorize: (_req, runId) => runId !== 'secret' })
    await hub.run('run-1').start(plan)
    await hub.run('run-2').start(plan)
    const { client } = sseClient()
    client.follow('run-1')
    client.follow('run-2')
    client.follow('secret')
    await waitFor(() => client.store.getState().runs['run-2']?.seq === 1, 'both runs')
    await waitFor(() => client.store.getState().stats.serverErrors === 1, 'the refusal')
    expect(client.store.getState().stats.byCode['server:forbidden']).toBe(1)
    expect(hub.metrics().connections).toBe(3)
    client.unfollow('run-2')
    await waitFor(() => hub.metrics().connections === 2, 'the stream to close')
    expect(client.stats().unsubscribes).toBe(1)
  })

  it('the transport gives up after maxRetries against a server that is gone, and says so', async () => {
    await start()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    killConnections()
    const errors: string[] = []
    const client = createProgressClient({
      transport: (handlers) =>
        createSseTransport(handlers, { url, EventSource, reconnect: { ...FAST, maxRetries: 2 } }),
      flush: 'sync',
      onError: (error) => errors.push(error.kind === 'transport' ? error.error.kind : error.kind),
    })
    clients.push(client)
    client.follow('run-1')
    await waitFor(() => client.store.getState().connection.status === 'closed', 'giving up')
    expect(errors.filter((kind) => kind === 'socket')).toHaveLength(3)
    expect(errors.at(-1)).toBe('gave-up')
    // server.close() in afterEach must not fail on a closed server.
    server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  })
})
