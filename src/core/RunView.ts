import type { ActivityEntry, AgentCounts, PhaseState, RunStatus } from '../protocol/types'
import type { RejectReason } from './applyEvent'
import type { Confidence, ConfidenceReason } from './confidence'
import type { SequencerStats } from './sequencer'
import type { TaskCounts } from './taskCounts'

export interface RunStats extends SequencerStats {
  /** Events the phase rules refused (PROTOCOL rule 6), in total and by reason. */
  rejected: number
  rejections: Partial<Record<RejectReason, number>>
}

/**
 * Everything a UI needs about one run: what the client's store publishes and the React parts draw. Unchanged runs
 * keep their identity across flushes.
 */
export interface RunView {
  runId: string
  status: RunStatus
  title?: string
  queuePosition?: number
  /** The producer's estimate of the wait in the queue when it last said so, ms. */
  queueEtaMs?: number
  error?: string
  phases: PhaseState[]
  /** Newest last; open agents and calls and failures outlive chatter (PROTOCOL v1.1 decision 5). */
  activity: ActivityEntry[]
  /** Agents by state, kept by the reducer and carried by snapshots: ended agents leave the bounded activity list. */
  agents: AgentCounts
  /** Task counts of each phase that announced or reported tasks, by phase id (derived from `phases`). */
  tasks: Record<string, TaskCounts>
  /** True progress, 0–1: only what the server confirmed. */
  progress: number
  /** What the bar shows, 0–1: never backward within an epoch, exactly 1 on completion. */
  displayed: number
  /** Part of `displayed` is a time-based estimate for a phase that reports no counts. */
  estimated: boolean
  confidence: Confidence
  confidenceReason: ConfidenceReason
  /** Milliseconds left at the smoothed rate, or null while there is too little data. */
  etaMs: number | null
  /**
   * Epoch of the state shown. While an epoch change waits for its snapshot this stays the old epoch (the old
   * state is still what is shown); `store.position()` has the transport's resume point.
   */
  epoch: string | null
  /** Last applied seq of `epoch`: the state shown is as of this event. */
  seq: number
  /** Local time of the last frame for this run (events or heartbeats). */
  lastFrameAt: number | null
  /**
   * Local time of the producer's last event as best known: the newest event's time, or the hub's heartbeat `idle`
   * (its own clock), so a client that just resumed knows how long the producer has been silent. Null before any.
   */
  lastEventAt: number | null
  /**
   * The run started over under a new epoch and the bar went down (set for the rest of that epoch; the reason is
   * `restarted` for a short notice first).
   */
  restarted?: true
  /** The server refused this run (`error` frame: `forbidden`, `unknown_run`…) and has sent nothing since. */
  refused?: { code: string; message: string }
  stats: RunStats
}
