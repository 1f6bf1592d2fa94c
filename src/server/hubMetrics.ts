import { isOpenEntry } from '../core/activityEntries'
import type { ActivityEntry, RunState, RunStatus } from '../protocol/types'

/** Counters of one hub since it was created, plus current gauges. */
export interface HubMetrics {
  /** Events accepted and logged. */
  events: number
  /** Producer events the hub refused (reducer rules, schema, size, closed hub). */
  rejected: number
  /** Subscribes answered with a replay from the log. */
  replays: number
  /** Events sent as part of replays. */
  replayedEvents: number
  snapshotsSent: number
  /** Snapshots that left out old activity or progress labels to fit one frame. */
  snapshotsTrimmed: number
  /** Subscribes answered `snapshot_unavailable` (a state too large for any frame: only a corrupt store makes one). */
  snapshotsUnavailable: number
  /** Subscribes for a run the hub forgot (retained past `retainMs`), answered `unknown_run`. */
  unknownRuns: number
  /** Started runs the hub failed after `abandonMs` without an event or a subscriber. */
  abandoned: number
  /** Connections closed with 1013: more queued for them than `maxBufferedBytes`, or nothing drained for `sendStallMs`. */
  backpressureCloses: number
  /** Connections closed with 1008: refused frames past the refusal budget. */
  policyCloses: number
  /** Subscribe/unsubscribe frames over the rate budget, answered `rate_limited`. */
  rateLimited: number
  /** Subscribes for a run the connection follows, dropped because the answer already going out serves them. */
  coalesced: number
  /** Subscribes to runs not started yet refused by `maxHeldRuns` (`overloaded`) or `maxHeldPerConnection`. */
  heldRefused: number
  /** Subscribes refused by `authorize`. */
  forbidden: number
  /** Client frames that failed to decode. */
  badFrames: number
  heartbeats: number
  /** Errors of `persist` or of a shared `store` (reported to `onError`, never to producers). */
  persistErrors: number
  /** With a shared store: appends refused because another instance had moved the run on (then staged again). */
  storeConflicts: number
  /** With a shared store: events this hub read from the store's log to fill a gap (a lost or late fan-out message). */
  storeFilled: number
  /** With a shared store: positions taken whole from the store (another epoch, a trimmed gap): a snapshot to viewers. */
  storeReloads: number
  /** With a shared store: lost tails caught (the store rolled back under an epoch), each moved to a new epoch. */
  epochRotations: number
  /** Open connections now. */
  connections: number
  /** Runs in the registry now (including runs only subscribed to, waiting for their producer). */
  runs: number
  /** Ids of forgotten runs remembered now (at most `tombstoneLimit`). */
  forgotten: number
  /** Runs subscribed to that no producer has started yet, now (at most `maxHeldRuns`). */
  held: number
  /** Replays waiting for their next chunk, now. */
  replaying: number
  /** Runs in the registry now, by status (`pending` includes runs only subscribed to). */
  runsByStatus: Record<RunStatus, number>
  /** Agents running now, over every run. */
  agentsActive: number
  /** Tool calls started and not ended now, over every run. */
  callsInFlight: number
  /** Viewers now: subscriptions over every run (a connection following three runs counts three). */
  viewers: number
}

/** The gauges read off the runs themselves. */
export type RunGauges = Pick<HubMetrics, 'runsByStatus' | 'agentsActive' | 'callsInFlight' | 'viewers'>

export type HubCounters = Omit<
  HubMetrics,
  'connections' | 'runs' | 'forgotten' | 'held' | 'replaying' | keyof RunGauges
>

/**
 * Reads the run gauges at `metrics()` time (a scrape, not every event). Open calls are counted once per activity
 * list: a published list never changes, so an idle run costs a lookup.
 * @example
 * const gauges = createRunGauges()
 * const { agentsActive } = gauges.read(records.values())
 */
export function createRunGauges() {
  const callsIn = new WeakMap<ActivityEntry[], number>()
  function openCalls(activity: ActivityEntry[]): number {
    let count = callsIn.get(activity)
    if (count === undefined) {
      count = 0
      for (const entry of activity) if (entry.type === 'tool_executing' && isOpenEntry(entry)) count++
      callsIn.set(activity, count)
    }
    return count
  }
  return {
    read(runs: Iterable<{ readonly state: RunState; readonly subscriberCount: number }>): RunGauges {
      const runsByStatus: Record<RunStatus, number> = {
        pending: 0,
        queued: 0,
        running: 0,
        completed: 0,
        failed: 0,
        cancelled: 0,
      }
      let agentsActive = 0
      let callsInFlight = 0
      let viewers = 0
      for (const { state, subscriberCount } of runs) {
        runsByStatus[state.status]++
        agentsActive += state.agents?.active ?? 0
        callsInFlight += openCalls(state.activity)
        viewers += subscriberCount
      }
      return { runsByStatus, agentsActive, callsInFlight, viewers }
    },
  }
}

export function createHubCounters(): HubCounters {
  return {
    events: 0,
    rejected: 0,
    replays: 0,
    replayedEvents: 0,
    snapshotsSent: 0,
    snapshotsTrimmed: 0,
    snapshotsUnavailable: 0,
    unknownRuns: 0,
    abandoned: 0,
    backpressureCloses: 0,
    policyCloses: 0,
    rateLimited: 0,
    coalesced: 0,
    heldRefused: 0,
    forbidden: 0,
    badFrames: 0,
    heartbeats: 0,
    persistErrors: 0,
    storeConflicts: 0,
    storeFilled: 0,
    storeReloads: 0,
    epochRotations: 0,
  }
}
