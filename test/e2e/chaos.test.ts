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

describe('end to end through a chaos relay', () => {
  it.each(SEEDS)('seed %i: the client ends equal to the hub; the bar never went back', async (seed) => {
    const rng = createRng(seed * 7919)
    hub = await startHub({ epoch: () => `epoch-${seed}` })
    relay = await startChaosRelay(hub.url, seed, {
      reorderWindow: 2 + Math.floor(rng() * 5),
      holdMs: 5 + rng() * 15,
      duplicateRate: 0.05 + rng() * 0.1,
      dropRate: 0.02 + rng() * 0.06,
      killRate: 0.005 + rng() * 0.015,
    })
    client = startClient(relay.url)
    const watch = watchRun(client, RUN)
    const publisher = hub.hub.run(RUN)
    // Most seeds follow before the run starts; some join mid-run and must catch up.
    const late = rng() < 0.3
    if (!late) {
      client.follow(RUN)
      expect(await publisher.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
    }
    const producing = produceRun(publisher, rng)
    if (late) {
      await waitFor(() => (publisher.head > 20 ? true : undefined), 3000, 'the run to get going')
      client.follow(RUN)
    }
    await producing

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
    expect(watch.publishes()).toBeGreaterThan(10)

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

    const metrics = hub.hub.metrics()
    const sent = client.stats()
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
    expect(totals.relayDropped).toBeGreaterThan(0)
    expect(totals.duplicatesDropped).toBeGreaterThan(0)
    expect(totals.reordered).toBeGreaterThan(0)
    expect(totals.resyncsSent + totals.resumes).toBeGreaterThan(0)
  })
})
