import type { ConfidenceReason } from '../core/confidence'
import { isTerminal } from '../core/runDraft'
import type { TaskCounts } from '../core/taskCounts'
import type { AgentCounts, PhaseStatus, RunStatus } from '../protocol/types'

/** What the bar's `aria-valuetext` is built from; every string in it is already formatted. */
export interface ValueTextParts {
  status: RunStatus
  /** The run status in words (from `runStatus`). */
  statusLabel: string
  /** Rounded percent, formatted ("42%"). */
  percent: string
  /** Label of the phase in progress, if any. */
  phase?: string
  /** "12 of 40" for the phase in progress, when it reports counts. */
  count?: string
  /** "about 1 min left", when there is an estimate. */
  eta?: string
  /** Part of the percent is a time-based estimate (a phase that reports no counts). */
  estimated: boolean
  /** The queue notice ("Waiting: next in line") while the run waits in a queue. */
  queue?: string
  /** The run waits again in its middle (for an agent slot): the percent it reached still stands. */
  midRun?: boolean
}

/** Each number formatted for the locale, next to the numbers themselves (for plurals). */
export type Formatted<T> = { [K in keyof T]: string }

/**
 * Every string the components show or announce. Pass a partial object ({@link LabelsOverride}) as `labels` (on the provider or a
 * component) to translate or reword; what you leave out keeps the English default.
 * @example
 * <ProgressProvider client={client} locale="de" labels={{ progress: 'Fortschritt' }}>…</ProgressProvider>
 */
export interface ProgressLabels {
  /** Accessible name of the bar. */
  progress: string
  /** Accessible name of the phase list. */
  phases: string
  /** Accessible name of the activity feed. */
  activity: string
  /** Accessible name of a run without a title. */
  run: string
  /** Bar text before a plan exists. */
  preparing: string
  /** Badge text before the first frame of a run arrived. */
  waiting: string
  runStatus: Record<RunStatus, string>
  phaseStatus: Record<PhaseStatus, string>
  /**
   * Badge text per reason (`stale` and `producer_silent` use {@link ProgressLabels.stale} and
   * {@link ProgressLabels.producerSilent} when the silence can be measured).
   */
  confidence: Record<ConfidenceReason, string>
  stale: (since: string) => string
  /** The connection is fine but the job has sent no progress for `since` (the view's `producer_silent`). */
  producerSilent: (since: string) => string
  count: (done: string, total: string) => string
  eta: (left: string) => string
  /** The visible value beside the title (`ProgressValue`): "48% · about 20 sec left". */
  shownValue: (percent: string, eta: string | undefined) => string
  /** Phase duration, e.g. "3 sec". */
  took: (duration: string) => string
  valueText: (parts: ValueTextParts) => string
  queued: (ahead: number, formatted: string) => string
  /** The queue notice of a run that waits again in its middle (`queued` after it started). */
  waitingAgain: (ahead: number, formatted: string) => string
  /** A phase the run's cancel stopped while it was active (its status is `skipped`). */
  phaseStopped: string
  /** A phase's parallel tasks: "3 of 6 tasks running"; `phase` is its id, to name the tasks ("searches"). */
  tasks: (counts: TaskCounts, n: Formatted<TaskCounts>, phase: string) => string
  /** The run's agents: "Agents: 2 working, 1 done". */
  agents: (counts: AgentCounts, n: Formatted<AgentCounts>) => string
  showEarlier: (count: number, formatted: string) => string
  agentStarted: (agent: string) => string
  agentCompleted: (agent: string, ok: boolean) => string
  agentThinking: (agent: string, text: string) => string
  toolRunning: (tool: string, elapsed: string | null) => string
  toolCompleted: (tool: string, ok: boolean, took: string | null) => string
  /** An agent or tool call the run's end closed before it finished; `took` is how long it had run. */
  interrupted: (name: string, took: string | null) => string
  /** The server refused the run (`forbidden`, `unknown_run`, …); `message` is the server's own words. */
  refused: (code: string, message: string) => string
}

/**
 * The English defaults.
 * @example
 * const labels = { ...DEFAULT_LABELS.confidence, live: 'Up to date' }
 */
export const DEFAULT_LABELS: ProgressLabels = {
  progress: 'Progress',
  phases: 'Steps',
  activity: 'Activity',
  run: 'Run',
  preparing: 'Preparing…',
  waiting: 'Waiting for updates…',
  runStatus: {
    pending: 'Pending',
    queued: 'Queued',
    running: 'Running',
    completed: 'Completed',
    failed: 'Failed',
    cancelled: 'Cancelled',
  },
  phaseStatus: {
    pending: 'Pending',
    active: 'In progress',
    done: 'Done',
    skipped: 'Skipped',
    failed: 'Failed',
  },
  confidence: {
    final: 'Final',
    live: 'Live',
    estimated: 'Estimated',
    reconnecting: 'Reconnecting…',
    resyncing: 'Catching up…',
    unordered: 'Unordered updates',
    stale: 'No recent updates',
    waiting: 'Waiting for the job to start',
    restarted: 'Restarted',
    producer_silent: 'No progress',
  },
  stale: (since) => `No updates for ${since}`,
  producerSilent: (since) => `No progress for ${since}`,
  count: (done, total) => `${done} of ${total}`,
  eta: (left) => `about ${left} left`,
  shownValue: (percent, eta) => (eta ? `${percent} · ${eta}` : percent),
  took: (duration) => duration,
  // The overall percent first: it is what the bar shows; the phase and its count say where the run is.
  valueText: (p) => {
    if (isTerminal(p.status)) {
      return `${p.statusLabel}, ${p.percent}`
    }
    if (p.status === 'queued')
      return [p.midRun && p.percent, p.queue ?? p.statusLabel].filter(Boolean).join(', ')
    const where = p.phase && p.count ? `${p.phase}: ${p.count}` : p.phase
    return [p.estimated ? `${p.percent} estimated` : p.percent, where, p.eta].filter(Boolean).join(', ')
  },
  queued: (ahead, n) =>
    ahead === 0 ? 'Waiting: next in line' : `Waiting: ${n} ${ahead === 1 ? 'run' : 'runs'} ahead`,
  waitingAgain: (ahead, n) => `Waiting for a free agent slot: ${ahead === 0 ? 'next in line' : `${n} ahead`}`,
  phaseStopped: 'Stopped',
  tasks: (c, n) =>
    c.running > 0 ? `${n.running} of ${n.total} tasks running` : `${n.done} of ${n.total} tasks done`,
  agents: (c, n) => {
    const parts = [
      c.active > 0 && `${n.active} working`,
      c.completed > 0 && `${n.completed} done`,
      c.failed > 0 && `${n.failed} failed`,
    ]
    return `Agents: ${parts.filter(Boolean).join(', ')}`
  },
  showEarlier: (_count, n) => `Show ${n} earlier`,
  agentStarted: (agent) => `${agent} started`,
  agentCompleted: (agent, ok) => `${agent} ${ok ? 'finished' : 'failed'}`,
  agentThinking: (agent, text) => `${agent}: ${text}`,
  toolRunning: (tool, elapsed) => `${tool} running${elapsed ? ` · ${elapsed}` : ''}`,
  toolCompleted: (tool, ok, took) => `${tool} ${ok ? 'done' : 'failed'}${took ? ` in ${took}` : ''}`,
  interrupted: (name, took) => `${name} interrupted${took ? ` after ${took}` : ''}`,
  refused: (code, message) =>
    code === 'forbidden'
      ? 'You do not have access to this run.'
      : code === 'unknown_run'
        ? 'This run is no longer available.'
        : `The server refused this run: ${message}`,
}

/** A partial override of {@link ProgressLabels}: the three maps may be partial too. */
export type LabelsOverride = Partial<Omit<ProgressLabels, 'runStatus' | 'phaseStatus' | 'confidence'>> & {
  runStatus?: Partial<ProgressLabels['runStatus']>
  phaseStatus?: Partial<ProgressLabels['phaseStatus']>
  confidence?: Partial<ProgressLabels['confidence']>
}
