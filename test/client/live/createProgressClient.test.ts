// @vitest-environment node
import { WebSocket } from 'ws'
import {
  type ConnectionStatus,
  createProgressClient,
  type ProgressClient,
  type ProgressClientError,
  type ProgressClientOptions,
} from '../../../src/client/index'
import type { SnapshotFrame } from '../../../src/protocol/types'
import { ev, heartbeat } from '../../support/logs'
import { type ScriptedServer, startScriptedServer, waitFor } from './scriptedServer'

const FAST = { minReconnectionDelay: 10, maxReconnectionDelay: 40, minUptime: 40, connectionTimeout: 1000 }
const plan = [
  { id: 'fetch', label: 'Fetch', weight: 1 },
  { id: 'write', label: 'Write', weight: 1 },
]

let server: ScriptedServer
const clients: ProgressClient[] = []

beforeEach(async () => {
  server = await startScriptedServer()
})

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await server.close()
})

function connect(options: Partial<ProgressClientOptions> = {}) {
  const errors: ProgressClientError[] = []
  const statuses: ConnectionStatus[] = []
  const client = createProgressClient({
    url: server.url,
    WebSocket,
    reconnect: FAST,
    flush: 'sync',
    gapTimeoutMs: 60,
    onError: (error) => errors.push(error),
    ...options,
  })
  clients.push(client)
  client.store.subscribe((state, previous) => {
    if (state.connection.status !== previous.connection.status) statuses.push(state.connection.status)
  })
  return { client, errors, statuses, run: (id = 'run-1') => client.store.getState().runs[id] }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('createProgressClient over a real socket', () => {
  it('subscribes every followed run on open, without a position the first time', async () => {
    const { client } = connect()
    client.follow('run-1')
    client.follow('run-2')
    const first = await server.connection(0)
    await first.frame(1)
    expect(first.received).toEqual([
      { v: 1, type: 'subscribe', run: 'run-1' },
      { v: 1, type: 'subscribe', run: 'run-2' },
    ])
  })

  it('resubscribes with epoch and the last applied seq after the server kills the socket', async () => {
    const { client, run } = connect()
    client.follow('run-1')
    const first = await server.connection(0)
    await first.frame(0)
    first.send(ev('run_started', 1, { plan }))
    first.send(ev('phase_started', 2, { phase: 'fetch' }))
    first.send(ev('phase_progress', 3, { phase: 'fetch', done: 2, total: 4 }))
    await waitFor(() => (run()?.seq === 3 ? true : undefined))
    first.kill()
    const second = await server.connection(1)
    expect(await second.frame(0)).toEqual({ v: 1, type: 'subscribe', run: 'run-1', epoch: 'e1', after: 3 })
    // The replay continues the log: nothing is applied twice, nothing skipped.
    second.send(ev('phase_progress', 3, { phase: 'fetch', done: 2, total: 4 }))
    second.send(ev('phase_progress', 4, { phase: 'fetch', done: 4, total: 4 }))
    await waitFor(() => (run()?.seq === 4 ? true : undefined))
    expect(run()?.stats.duplicates).toBe(1)
    expect(run()?.phases[0]).toMatchObject({ id: 'fetch', done: 4, total: 4 })
    expect(client.stats()).toMatchObject({ opens: 2, drops: 1, subscribes: 1, resumes: 1 })
  })

  it('sends a resync for a hole that stays open past the gap timeout, then fills it', async () => {
    const { client, run } = connect()
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.send(ev('run_started', 1, { plan }))
    socket.send(ev('phase_progress', 3, { phase: 'fetch', done: 2, total: 4 }))
    expect(await socket.frame(1)).toEqual({ v: 1, type: 'resync', run: 'run-1', epoch: 'e1', after: 1 })
    expect(run()?.confidenceReason).toBe('resyncing')
    socket.send(ev('phase_started', 2, { phase: 'fetch' }))
    await waitFor(() => (run()?.seq === 3 ? true : undefined))
    expect(run()?.phases[0]).toMatchObject({ status: 'active', done: 2, total: 4 })
    expect(client.stats().resyncs).toBe(1)
  })

  it('answers a frame of an unknown epoch with a plain subscribe (a snapshot request) and takes the snapshot', async () => {
    const { client, run } = connect()
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.send(ev('run_started', 1, { plan }))
    await waitFor(() => (run()?.seq === 1 ? true : undefined))
    socket.send(ev('phase_started', 7, { phase: 'write' }, { epoch: 'e2' }))
    expect(await socket.frame(1)).toEqual({ v: 1, type: 'subscribe', run: 'run-1' })
    const snapshot: SnapshotFrame = {
      v: 1,
      type: 'snapshot',
      run: 'run-1',
      epoch: 'e2',
      seq: 7,
      ts: Date.now(),
      state: {
        status: 'running',
        phases: [
          { id: 'fetch', label: 'Fetch', weight: 1, status: 'done' },
          { id: 'write', label: 'Write', weight: 1, status: 'active' },
        ],
        activity: [],
      },
    }
    socket.send(snapshot)
    await waitFor(() => (run()?.epoch === 'e2' && run()?.seq === 7 ? true : undefined))
    expect(run()?.phases.map((phase) => phase.status)).toEqual(['done', 'active'])
  })

  it('a restarted server behind: the bar never goes back within the epoch the view reports', async () => {
    const { client, run } = connect()
    const seen: { epoch: string | null; displayed: number }[] = []
    client.store.subscribe((state) => {
      const view = state.runs['run-1']
      if (view) seen.push({ epoch: view.epoch, displayed: view.displayed })
    })
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.send(ev('run_started', 1, { plan }))
    socket.send(ev('phase_started', 2, { phase: 'fetch' }))
    socket.send(ev('phase_progress', 3, { phase: 'fetch', done: 4, total: 4 }))
    await waitFor(() => (run()?.displayed === 0.5 ? true : undefined))
    // The new server's first word is a heartbeat: the old state stays on screen until its snapshot comes.
    socket.send(heartbeat(2, { epoch: 'e2' }))
    await socket.frame(1)
    socket.send({
      v: 1,
      type: 'snapshot',
      run: 'run-1',
      epoch: 'e2',
      seq: 2,
      ts: Date.now(),
      state: {
        status: 'running',
        phases: [
          { id: 'fetch', label: 'Fetch', weight: 1, status: 'active', done: 1, total: 4 },
          { id: 'write', label: 'Write', weight: 1, status: 'pending' },
        ],
        activity: [],
      },
    })
    await waitFor(() => (run()?.phases[0]?.done === 1 ? true : undefined))
    for (let i = 1; i < seen.length; i++) {
      if (seen[i]!.epoch === seen[i - 1]!.epoch)
        expect(seen[i]!.displayed).toBeGreaterThanOrEqual(seen[i - 1]!.displayed)
    }
    expect(run()?.displayed).toBe(0.125)
  })

  it('asks an async url function again on every attempt', async () => {
    let calls = 0
    const { client } = connect({
      url: async () => {
        calls++
        await sleep(1)
        return `${server.url}?token=t${calls}`
      },
    })
    client.follow('run-1')
    const first = await server.connection(0)
    expect(first.path).toBe('/live?token=t1')
    first.kill()
    const second = await server.connection(1)
    expect(second.path).toBe('/live?token=t2')
  })

  it('reports a url function that fails and keeps trying with the next answer', async () => {
    let calls = 0
    const { client, errors } = connect({
      url: () => {
        calls++
        if (calls === 1) throw new Error('token service down')
        return server.url
      },
    })
    client.follow('run-1')
    await server.connection(0)
    expect(errors).toContainEqual({ kind: 'transport', error: { kind: 'url', detail: 'token service down' } })
  })

  it('goes idle → connecting → open → reconnecting → closed, with low confidence while disconnected', async () => {
    const { client, statuses, run } = connect()
    // Nothing is followed yet, so nothing is open: the socket waits for the first follow.
    expect(client.store.getState().connection.status).toBe('idle')
    await sleep(30)
    expect(server.connections).toHaveLength(0)
    client.follow('run-1')
    const first = await server.connection(0)
    await first.frame(0)
    first.send(ev('run_started', 1, { plan }))
    await waitFor(() => (run()?.seq === 1 ? true : undefined))
    expect(run()?.confidenceReason).toBe('live')
    await server.close()
    await waitFor(() => (client.store.getState().connection.status === 'reconnecting' ? true : undefined))
    expect(run()).toMatchObject({ confidence: 'low', confidenceReason: 'reconnecting' })
    // Retries against a dead port count up.
    await waitFor(() => (client.store.getState().connection.attempts >= 2 ? true : undefined))
    server = await startScriptedServer()
    client.close()
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'closed'])
    expect(client.store.getState().connection.status).toBe('closed')
  })

  it('reconnects after a loss: attempts reset once open', async () => {
    const { client, statuses } = connect()
    client.follow('run-1')
    ;(await server.connection(0)).kill()
    await server.connection(1)
    await waitFor(() => (client.store.getState().connection.status === 'open' ? true : undefined))
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open'])
    expect(client.store.getState().connection.attempts).toBe(0)
  })

  it('close() stops reconnecting, silences the old socket and leaks no error', async () => {
    const { client, errors } = connect()
    client.follow('run-1')
    const first = await server.connection(0)
    await first.frame(0)
    client.close()
    // The frame and the kill below reach a socket the client discarded.
    first.send(ev('run_started', 1, { plan }))
    first.kill()
    await sleep(250) // many times the reconnect delay: an attempt would have happened
    expect(server.connections).toHaveLength(1)
    expect(client.store.getState().runs['run-1']?.seq).toBe(0)
    expect(client.store.getState().connection.status).toBe('closed')
    expect(errors).toEqual([])
  })

  it('close() during the backoff wait cancels the attempt', async () => {
    const { client } = connect({
      reconnect: { ...FAST, minReconnectionDelay: 150, maxReconnectionDelay: 150 },
    })
    client.follow('run-1')
    const first = await server.connection(0)
    first.kill()
    await waitFor(() => (client.store.getState().connection.status === 'reconnecting' ? true : undefined))
    client.close()
    await sleep(300)
    expect(server.connections).toHaveLength(1)
  })

  it('gives up after maxRetries and reports it as closed', async () => {
    const { errors, client } = connect({ reconnect: { ...FAST, maxRetries: 2 } })
    client.follow('run-1')
    await server.connection(0)
    await server.close()
    await waitFor(() => (client.store.getState().connection.status === 'closed' ? true : undefined))
    expect(errors).toContainEqual({ kind: 'transport', error: { kind: 'gave-up', attempts: 2 } })
    server = await startScriptedServer()
  })

  it('frames for runs nobody follows change nothing and are counted', async () => {
    const { client, errors } = connect()
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.send(ev('run_started', 1, { plan }))
    await waitFor(() => (client.store.getState().runs['run-1']?.seq === 1 ? true : undefined))
    const before = client.store.getState().runs
    socket.send(ev('run_started', 1, { plan }, { run: 'someone-else' }))
    socket.send(heartbeat(1, { run: 'someone-else' }))
    await waitFor(() => (client.store.getState().stats.unknownRun === 2 ? true : undefined))
    expect(client.store.getState().runs).toBe(before)
    expect(Object.keys(client.store.getState().runs)).toEqual(['run-1'])
    expect(errors).toContainEqual({ kind: 'unknown_run', run: 'someone-else' })
  })

  it('takes binary frames (Buffers from ws) like text ones', async () => {
    const { client, run } = connect()
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.sendBinary(ev('run_started', 1, { plan }))
    socket.sendBinary(ev('phase_started', 2, { phase: 'fetch' }))
    await waitFor(() => (run()?.seq === 2 ? true : undefined))
    expect(run()?.phases[0]?.status).toBe('active')
  })

  it('follow and unfollow while open send subscribe and unsubscribe', async () => {
    const { client } = connect()
    client.follow('run-1')
    const socket = await server.connection(0)
    await waitFor(() => (client.store.getState().connection.status === 'open' ? true : undefined))
    client.follow('run-9')
    client.follow('run-9')
    client.unfollow('run-9')
    client.unfollow('run-9')
    await socket.frame(2)
    await sleep(30)
    expect(socket.received).toEqual([
      { v: 1, type: 'subscribe', run: 'run-1' },
      { v: 1, type: 'subscribe', run: 'run-9' },
      { v: 1, type: 'unsubscribe', run: 'run-9' },
    ])
    expect(client.followed()).toEqual(['run-1'])
  })

  it('one socket carries many runs', async () => {
    const { client } = connect()
    for (const id of ['a', 'b', 'c']) client.follow(id)
    const socket = await server.connection(0)
    await socket.frame(2)
    for (const id of ['a', 'b', 'c']) socket.send(ev('run_started', 1, { plan }, { run: id }))
    await waitFor(() =>
      ['a', 'b', 'c'].every((id) => client.store.getState().runs[id]?.status === 'running')
        ? true
        : undefined,
    )
    expect(server.connections).toHaveLength(1)
  })

  it('drops to low confidence when no frame comes within the heartbeat timeout, and heartbeats keep it live', async () => {
    const { client, run } = connect({ heartbeatTimeoutMs: 300, refreshMs: 20 })
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.send(ev('run_started', 1, { plan }))
    socket.send(ev('phase_progress', 2, { phase: 'fetch', done: 1, total: 4 }))
    await waitFor(() => (run()?.seq === 2 ? true : undefined))
    expect(run()?.confidenceReason).toBe('live')
    for (let i = 0; i < 6; i++) {
      await sleep(40)
      socket.send(heartbeat(2))
    }
    await sleep(10)
    expect(run()?.confidenceReason).toBe('live')
    // Stale, or already reconnecting: rule 8 drops the silent socket at the same timeout, and which of the two
    // the next refresh shows first is a race. Either way it is no longer "live".
    const reason = await waitFor(() => {
      const now = run()?.confidenceReason
      return now === 'stale' || now === 'reconnecting' ? now : undefined
    }, 2000)
    expect(['stale', 'reconnecting']).toContain(reason)
    expect(run()?.confidence).toBe('low')
  })

  it('a heartbeat ahead of the applied seq opens a hole that is resynced', async () => {
    const { client } = connect()
    client.follow('run-1')
    const socket = await server.connection(0)
    await socket.frame(0)
    socket.send(ev('run_started', 1, { plan }))
    socket.send(heartbeat(4))
    expect(await socket.frame(1)).toEqual({ v: 1, type: 'resync', run: 'run-1', epoch: 'e1', after: 1 })
  })
})

describe('on a server (no window)', () => {
  it('a follow opens no socket without an explicit WebSocket: prerendering a page never connects', async () => {
    expect(typeof window).toBe('undefined')
    const errors: ProgressClientError[] = []
    // Node 22 has a global WebSocket; a client made at a page module's scope must still not use it there.
    const client = createProgressClient({ url: server.url, onError: (error) => errors.push(error) })
    clients.push(client)
    client.follow('run-1')
    await sleep(50)
    expect(server.connections).toHaveLength(0)
    expect(errors).toEqual([
      {
        kind: 'transport',
        error: { kind: 'socket', detail: 'no window: on a server, pass WebSocket (ws) or a transport' },
      },
    ])
    expect(client.store.getState().connection.status).toBe('closed')
  })
})
