// @vitest-environment node
import type { ProgressClient } from '../../src/client/index'
import { createRng } from '../support/chaosRelay'
import { type StallRelay, startStallRelay } from '../support/stallRelay'
import {
  FAST_RECONNECT,
  produceRun,
  type RunningHub,
  startClient,
  startHub,
  waitFor,
  watchRun,
} from './scenario'

// Small periods keep the real sockets quick: the client gives up on a silent connection after 2.5 × 40 ms.
const HEARTBEAT_MS = 40
const TIMEOUT_MS = 2.5 * HEARTBEAT_MS
const RUN = 'silent-1'

let hub: RunningHub | null = null
let relay: StallRelay | null = null
let client: ProgressClient | null = null

afterEach(async () => {
  client?.close()
  await relay?.close()
  await hub?.close()
  client = null
  relay = null
  hub = null
})

describe('a connection whose server stops writing (TCP open, no close)', () => {
  it('is dropped after the heartbeat timeout, reconnects within timeout + backoff, and the run ends exact', async () => {
    // No pings: the hub must not free the stalled peer first (then the client would see a close, not silence).
    hub = await startHub({ heartbeatMs: HEARTBEAT_MS, pingMs: 0, epoch: () => 'e-silent' })
    relay = await startStallRelay(hub.port)
    client = startClient(relay.url)
    const c = client
    const watch = watchRun(c, RUN)
    const statuses: string[] = []
    c.store.subscribe((state, previous) => {
      if (state.connection.status !== previous.connection.status) statuses.push(state.connection.status)
    })
    const publisher = hub.hub.run(RUN)
    c.follow(RUN)
    expect(await publisher.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
    const producing = produceRun(publisher, createRng(11))
    await waitFor(() => (publisher.head >= 15 ? true : undefined), 3000, 'the run to get going')

    relay.stall()
    const stalledAt = Date.now()
    const seqAtStall = c.store.getState().runs[RUN]!.seq
    // Rule 8: the hub keeps writing (heartbeats, events) but nothing arrives, and nothing is closed.
    await waitFor(() => (c.stats().opens === 2 ? true : undefined), 3000, 'the second connection')
    const reopenedAfter = Date.now() - stalledAt
    expect(c.stats().silences).toBe(1)
    // timeout + the longest backoff + scheduling slack on a loaded machine: a bound, not a speed measurement.
    expect(reopenedAfter).toBeLessThan(TIMEOUT_MS + FAST_RECONNECT.maxReconnectionDelay + 1500)
    expect(reopenedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 20)
    expect(statuses).toContain('reconnecting')
    expect(relay.connections).toBe(2)

    await producing
    await waitFor(
      () => {
        const view = c.store.getState().runs[RUN]
        return view?.status === 'completed' && view.seq === publisher.head ? view : undefined
      },
      5000,
      'the client to finish',
    )
    const view = c.store.getState().runs[RUN]!
    expect(view.seq).toBeGreaterThan(seqAtStall)
    expect(view.phases).toEqual(publisher.state().phases)
    expect(view.activity).toEqual(publisher.state().activity)
    expect(view.displayed).toBe(1)
    expect(view.stats.rejected).toBe(0)
    // Resumed on the new connection: the hub answered the resubscribe with what was missing, a replay, or the
    // snapshot when replaying the stalled stretch costs more than the state (the hub's replay-or-snapshot rule).
    const metrics = hub.hub.metrics()
    expect(metrics.replays + metrics.snapshotsSent).toBeGreaterThanOrEqual(1)
    expect(watch.violations).toEqual([])
  })

  it('the hub frees a peer gone silent both ways after two unanswered pings, while the TCP stays open', async () => {
    hub = await startHub({ heartbeatMs: 1000, pingMs: 30 })
    relay = await startStallRelay(hub.port)
    // A client that never reconnects by itself within the test: its timeout is far away.
    client = startClient(relay.url, { heartbeatTimeoutMs: 60_000 })
    client.follow(RUN)
    await waitFor(() => (hub!.hub.metrics().connections === 1 ? true : undefined), 3000, 'the connection')
    // Nothing passes either way now: no close frame, no FIN can reach the hub; only its unanswered pings tell.
    relay.stall('both')
    await waitFor(() => (hub!.hub.metrics().connections === 0 ? true : undefined), 2000, 'the hub to free it')
    expect(hub.hub.run(RUN).subscribers).toBe(0)
  })
})
