// @vitest-environment node
import type { IncomingMessage } from 'node:http'
import { WebSocket } from 'ws'
import {
  createProgressClient,
  type ProgressClient,
  type ProgressClientError,
} from '../../../src/client/index'
import { createProgressHub, type ProgressHub, type ProgressHubOptions } from '../../../src/server'
import { plan, serveHub } from '../../server/wire'
import { waitFor } from './scriptedServer'

const FAST = { minReconnectionDelay: 10, maxReconnectionDelay: 40, minUptime: 40, connectionTimeout: 1000 }

let hub: ProgressHub<IncomingMessage>
let served: Awaited<ReturnType<typeof serveHub>>
const clients: ProgressClient[] = []

async function start(options: ProgressHubOptions<IncomingMessage> = {}) {
  hub = createProgressHub<IncomingMessage>(options)
  served = await serveHub(hub)
}

function connect() {
  const errors: ProgressClientError[] = []
  const client = createProgressClient({
    url: served.url,
    WebSocket,
    reconnect: FAST,
    flush: 'sync',
    onError: (error) => errors.push(error),
  })
  clients.push(client)
  return { client, errors, view: (id: string) => client.store.getState().runs[id] }
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close()
  await served.close()
  await hub.close()
})

describe('the live client against the real hub: answers other than events', () => {
  it('a run not started yet is pending and waiting for 10 heartbeat periods, on one connection, then runs', async () => {
    await start({ heartbeatMs: 25 })
    const { client, view } = connect()
    const reasons: string[] = []
    client.store.subscribe((state) => {
      const reason = state.runs.later?.confidenceReason
      if (reason && reasons.at(-1) !== reason) reasons.push(reason)
    })
    client.follow('later')
    await waitFor(() => (view('later')?.confidenceReason === 'waiting' ? true : undefined))
    await new Promise((resolve) => setTimeout(resolve, 10 * 25))
    expect(view('later')).toMatchObject({
      status: 'pending',
      confidence: 'high',
      confidenceReason: 'waiting',
    })
    expect(client.stats()).toMatchObject({ opens: 1, silences: 0 })
    expect(client.store.getState().stats.acks).toBe(1)
    const run = hub.run('later')
    await run.start(plan)
    await run.phaseStarted('search')
    await run.phaseProgress('search', 1, 4)
    await waitFor(() => (view('later')?.seq === 3 ? true : undefined))
    expect(view('later')?.status).toBe('running')
    // Before the acknowledgement it connects and catches up (the badge words that "Waiting for updates…"); from then on
    // it waits calmly until the job starts, never stale or reconnecting.
    const since = reasons.slice(reasons.indexOf('waiting'))
    expect(since[0]).toBe('waiting')
    for (const bad of ['stale', 'reconnecting', 'resyncing']) expect(since).not.toContain(bad)
  })

  it('a run the hub forgot comes back as unknown_run; the same id started again is taken from seq 1', async () => {
    await start({ retainMs: 20 })
    const first = hub.run('r')
    await first.start(plan)
    await first.complete()
    await waitFor(() => (hub.metrics().forgotten === 1 ? true : undefined))
    const { client, errors, view } = connect()
    client.follow('r')
    await waitFor(() => (errors.length > 0 ? true : undefined))
    expect(errors).toEqual([{ kind: 'server', code: 'unknown_run', message: expect.any(String), run: 'r' }])
    expect(client.store.getState().stats).toMatchObject({ serverErrors: 1, invalid: 0 })
    expect(view('r')).toMatchObject({ status: 'pending', seq: 0 })
    const again = hub.run('r')
    await again.start(plan)
    await again.phaseStarted('search')
    await waitFor(() => (view('r')?.seq === 2 ? true : undefined))
    expect(view('r')).toMatchObject({ status: 'running', epoch: again.epoch })
    expect(view('r')?.epoch).not.toBe(first.epoch)
  })

  it('a client that returns after its producer died sees the run failed as abandoned', async () => {
    await start({ abandonMs: 50 })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    const before = connect()
    before.client.follow('r')
    await waitFor(() => (before.view('r')?.seq === 2 ? true : undefined))
    before.client.close()
    await waitFor(() => (hub.metrics().abandoned === 1 ? true : undefined))
    const after = connect()
    after.client.follow('r')
    await waitFor(() => (after.view('r')?.status === 'failed' ? true : undefined))
    expect(after.view('r')).toMatchObject({
      seq: 3,
      confidenceReason: 'final',
      error: expect.stringMatching(/^abandoned/),
    })
    expect(after.errors).toEqual([])
  })

  it('a forbidden run reaches onError as forbidden and nothing of it is applied', async () => {
    await start({ authorize: (_request, runId) => runId !== 'secret' })
    const secret = hub.run('secret')
    await secret.start(plan, { title: 'secret' })
    const open = hub.run('open')
    await open.start(plan)
    const { client, errors, view } = connect()
    client.follow('secret')
    client.follow('open')
    await waitFor(() => (errors.length > 0 && view('open')?.seq === 1 ? true : undefined))
    expect(errors).toEqual([
      { kind: 'server', code: 'forbidden', message: expect.any(String), run: 'secret' },
    ])
    expect(view('secret')).toMatchObject({ status: 'pending', seq: 0, phases: [] })
    expect(view('secret')?.title).toBeUndefined()
  })
})
