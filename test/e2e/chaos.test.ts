// @vitest-environment node
import type { ProgressClient } from '../../src/client/index'
import type { RunView } from '../../src/core/RunView'
import type { RunState } from '../../src/protocol/types'
import { type ChaosRelay, createRng, startChaosRelay } from '../support/chaosRelay'
import { produceRun, type RunningHub, startClient, startHub, waitFor, watchRun } from './scenario'

// CHAOS_SEEDS=200 runs that many seeds instead (a longer soak by hand); CI keeps the bounded default.
const SEEDS = process.env.CHAOS_SEEDS
  ? Array.from({ length: Number(process.env.CHAOS_SEEDS) }, (_, i) => 1000 + i)
  : [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946]
const RUN = 'research-1'
const HEARTBEAT_MS = 30

/** Totals over all seeds, printed once for the report. */
const totals = {
  seeds: 0,
  opens: 0,
  drops: 0,
  resumes: 0,
  subscribes: 0,
  resyncsSent: 0,
  replays: 0,
  replayedEvents: 0,
  snapshotsSent: 0,
  relayKills: 0,
  stalledSeeds: 0,
  relayStalls: 0,
  silences: 0,
  relayDropped: 0,
  relayDuplicated: 0,
  relayReordered: 0,
  duplicatesDropped: 0,
  reordered: 0,
  gaps: 0,
  overflows: 0,
  events: 0,
}

let hub: RunningHub | null = null
let relay: ChaosRelay | null = null
let client: ProgressClient | null = null

afterEach(async () => {
  client?.close()
  await relay?.close()
  await hub?.close()
  client = null
  relay = null
  hub = null
})

afterAll(() => {
  console.info(`chaos totals over ${totals.seeds} seeds: ${JSON.stringify(totals)}`)
})

/** Client and hub agree on everything a person can see. */
function expectSame(view: RunView | undefined, state: RunState | undefined) {
  expect(view).toBeDefined()
  expect(state).toBeDefined()
  expect(view!.status).toBe(state!.status)
  expect(view!.title).toBe(state!.title)
  expect(view!.phases).toEqual(state!.phases)
  expect(view!.activity).toEqual(state!.activity)
}

describe('end to end through a chaos relay (reorder, duplicate, drop, kill, silent stall)', () => {
  it.each(SEEDS)('seed %i: the client ends equal to the hub; the bar never went back', async (seed) => {
    const rng = createRng(seed * 7919)
    hub = await startHub({ heartbeatMs: HEARTBEAT_MS, epoch: () => `epoch-${seed}` })
    relay = await startChaosRelay(hub.url, seed, {
      reorderWindow: 2 + Math.floor(rng() * 5),
      holdMs: 5 + rng() * 15,
      duplicateRate: 0.05 + rng() * 0.1,
      dropRate: 0.02 + rng() * 0.06,
      killRate: 0.005 + rng() * 0.015,
    })
    // The relay may drop the `subscribed` answer (then the default is 25 s): the timeout is set to 2.5 heartbeats
    // here; silentConnection.test.ts covers the announced period.
    client = startClient(relay.url, { heartbeatTimeoutMs: 2.5 * HEARTBEAT_MS })
    const watch = watchRun(client, RUN)
    const publisher = hub.hub.run(RUN)
    // Most seeds follow before the run starts; some join mid-run and must catch up.
    const late = rng() < 0.3
    if (!late) {
      client.follow(RUN)
      expect(await publisher.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
    }
    // About half the seeds stall the connection once mid-run: open both ways, silent (rule 8 must reconnect).
    const stallAt = rng() < 0.5 ? 5 + Math.floor(rng() * 40) : null
    const producing = produceRun(publisher, rng)
    if (late) {
      await waitFor(() => (publisher.head > 20 ? true : undefined), 3000, 'the run to get going')
      client.follow(RUN)
    }
    const stalling =
      stallAt === null
        ? null
        : waitFor(() => (publisher.head >= stallAt ? true : undefined), 5000, 'the stall point').then(() => {
            // A follower that joins late may not be connected yet: stall what it has once it has it.
            const r = relay!
            return waitFor(() => (r.live() > 0 ? true : undefined), 3000, 'a connection to stall').then(() =>
              r.stall(),
            )
          })
    await producing
    await stalling

    const c = client
    await waitFor(
      () => {
        const view = c.store.getState().runs[RUN]
        return view?.status === 'completed' && view.seq === publisher.head && view.epoch === publisher.epoch
          ? true
          : undefined
      },
      8000,
      `seed ${seed}: client to converge (head ${publisher.head})`,
    )
    const state = c.store.getState()
    const view = state.runs[RUN]!
    expectSame(view, hub.hub.state(RUN))
    expect(view.displayed).toBe(1)
    expect(view.progress).toBe(1)
    expect(watch.violations).toEqual([])
    // A stall may leave the client with nothing until the run is over: one snapshot then says it all.
    expect(watch.publishes()).toBeGreaterThan(stallAt === null ? 10 : 0)

    // Stats add up: every frame the store took is either refused, for nobody, a server error, an ack, or the run's.
    const s = view.stats
    expect(state.stats.frames).toBe(
      state.stats.invalid + state.stats.unknownRun + state.stats.serverErrors + state.stats.acks + s.received,
    )
    expect(state.stats.invalid).toBe(0)
    expect(state.stats.frames).toBeLessThanOrEqual(relay.stats.forwarded)
    expect(s.received).toBeGreaterThanOrEqual(
      s.applied + s.duplicates + s.staleSnapshots + s.staleEpochs + s.overflows,
    )
    const snapshots = relay.stats.byType.snapshot ?? 0
    if (snapshots === 0) expect(s.applied).toBe(publisher.head)
    else expect(s.applied).toBeLessThanOrEqual(publisher.head + snapshots)
    expect(s.rejected).toBe(0)

    const sent = client.stats()
    // A stalled connection is never killed by the relay (it swallows everything): only silence can end it. (Other
    // seeds may see a silence too: 75 ms without a frame happens on a loaded machine, and costs only a resume.)
    if (stallAt !== null) {
      expect(relay.stats.stalls).toBeGreaterThanOrEqual(1)
      expect(sent.silences).toBeGreaterThanOrEqual(1)
    }
    const metrics = hub.hub.metrics()
    Object.assign(totals, {
      seeds: totals.seeds + 1,
      opens: totals.opens + sent.opens,
      drops: totals.drops + sent.drops,
      resumes: totals.resumes + sent.resumes,
      subscribes: totals.subscribes + sent.subscribes,
      resyncsSent: totals.resyncsSent + sent.resyncs,
      replays: totals.replays + metrics.replays,
      replayedEvents: totals.replayedEvents + metrics.replayedEvents,
      snapshotsSent: totals.snapshotsSent + metrics.snapshotsSent,
      relayKills: totals.relayKills + relay.stats.kills,
      stalledSeeds: totals.stalledSeeds + (stallAt === null ? 0 : 1),
      relayStalls: totals.relayStalls + relay.stats.stalls,
      silences: totals.silences + sent.silences,
      relayDropped: totals.relayDropped + relay.stats.dropped,
      relayDuplicated: totals.relayDuplicated + relay.stats.duplicated,
      relayReordered: totals.relayReordered + relay.stats.reordered,
      duplicatesDropped: totals.duplicatesDropped + s.duplicates,
      reordered: totals.reordered + s.reordered,
      gaps: totals.gaps + s.gaps,
      overflows: totals.overflows + s.overflows,
      events: totals.events + publisher.head,
    })
  })

  it('the chaos actually happened: drops, duplicates, reordering and kills were all exercised', () => {
    expect(totals.seeds).toBe(SEEDS.length)
    expect(totals.relayKills).toBeGreaterThan(0)
    // Silent stalls: about half the seeds, each ended by the client's heartbeat timeout (rule 8).
    expect(totals.stalledSeeds).toBeGreaterThanOrEqual(Math.floor(SEEDS.length * 0.3))
    expect(totals.stalledSeeds).toBeLessThanOrEqual(Math.ceil(SEEDS.length * 0.7))
    expect(totals.silences).toBeGreaterThanOrEqual(totals.stalledSeeds)
    expect(totals.relayDropped).toBeGreaterThan(0)
    expect(totals.duplicatesDropped).toBeGreaterThan(0)
    expect(totals.reordered).toBeGreaterThan(0)
    expect(totals.resyncsSent + totals.resumes).toBeGreaterThan(0)
  })
})
