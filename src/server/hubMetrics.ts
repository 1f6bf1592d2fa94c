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
  persistErrors: number
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
}

export type HubCounters = Omit<HubMetrics, 'connections' | 'runs' | 'forgotten' | 'held' | 'replaying'>

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
  }
}
