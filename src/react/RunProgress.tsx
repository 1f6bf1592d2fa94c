import { type ComponentPropsWithoutRef, forwardRef, useId } from 'react'
import type { RunView } from '../core/RunView'
import { ActivityFeed } from './ActivityFeed'
import { AgentCount } from './AgentCount'
import { ConfidenceBadge } from './ConfidenceBadge'
import { InitialRunState } from './InitialRunState'
import type { LabelsOverride } from './labels'
import { PhaseSteps } from './PhaseSteps'
import { RunBar } from './ProgressBar'
import { ProgressValue } from './ProgressValue'
import { QueueNotice } from './QueueNotice'
import type { RunSnapshot } from './runSnapshot'
import { cx, shallowEqual } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'
import type { RunCallbacks } from './useRunCallbacks'

export interface RunProgressProps extends Omit<ComponentPropsWithoutRef<'section'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
  /** Show the phase list. Default true. */
  showPhases?: boolean
  /** Show the activity feed. Default true. */
  showActivity?: boolean
  /** Show the agent count ("Agents: 2 working, 1 done") once the run has agents. Default true. */
  showAgents?: boolean
  /** Show the percent and time left next to the title (screen readers hear them from the bar). Default true. */
  showValue?: boolean
  /** Newest activity entries shown before "Show N earlier". Default 50. */
  activityMax?: number
  /** Jump instead of spring; defaults to prefers-reduced-motion. */
  reducedMotion?: boolean
  /** Local clock for elapsed and "no updates for" times; defaults to `Date.now`. */
  now?: () => number
  /** The run as the server rendered it (`GET /v1/runs/{run}`: `{ epoch, seq, state }`), until live data comes. */
  initialState?: RunSnapshot
  /** The run completed (once per epoch; also when it had already completed at mount). */
  onComplete?: RunCallbacks['onComplete']
  /** The run's status changed. */
  onStatusChange?: RunCallbacks['onStatusChange']
}

const pick = (run: RunView) => ({
  status: run.status,
  title: run.title,
  error: run.error,
  refusedCode: run.refused?.code,
  refusedMessage: run.refused?.message,
  confidence: run.confidence,
})

/**
 * Everything about one run in one line of JSX: title, confidence badge, queue notice, bar, steps, the agent count
 * and activity, and the run's error once it failed. With `initialState` (the server's snapshot) the first paint and
 * hydration show the run as the server knew it; `onComplete` and `onStatusChange` tell the page as the run moves.
 * A `<section>` named by the title, with `data-state` = the run status
 * ('pending' before the run appears) and `data-confidence`. Use the parts directly for another layout.
 * @example
 * <ProgressProvider client={client}>
 *   <RunProgress runId="r1" />
 * </ProgressProvider>
 */
export const RunProgress = forwardRef<HTMLElement, RunProgressProps>(function RunProgress(
  {
    runId,
    labels: override,
    locale,
    showPhases = true,
    showActivity = true,
    showAgents = true,
    showValue = true,
    activityMax,
    reducedMotion,
    now,
    initialState,
    onComplete,
    onStatusChange,
    className,
    ...rest
  },
  ref,
) {
  const { labels } = useLabels(override, locale)
  const run = useRun(runId, pick, shallowEqual, { initialState, onComplete, onStatusChange })
  const titleId = useId()
  const parts = { runId, labels: override, locale }
  const section = (
    <section
      aria-labelledby={titleId}
      data-state={run?.status ?? 'pending'}
      data-confidence={run?.confidence}
      ref={ref}
      className={cx('lp-run', className)}
      {...rest}
    >
      <header className="lp-run__header">
        <span id={titleId} className="lp-run__title">
          {run?.title ?? labels.run}
        </span>
        <span className="lp-run__meta">
          {showValue && <ProgressValue {...parts} />}
          <ConfidenceBadge {...parts} now={now} />
        </span>
      </header>
      <QueueNotice {...parts} />
      {/* Named by the run's title: a page of runs is not a page of bars all called "Progress". */}
      <RunBar {...parts} reducedMotion={reducedMotion} aria-labelledby={titleId} />
      {run?.error && (
        <p className="lp-run__error" role="alert">
          {run.error}
        </p>
      )}
      {run?.refusedCode !== undefined && (
        <p className="lp-run__error" role="alert" data-refused={run.refusedCode}>
          {labels.refused(run.refusedCode, run.refusedMessage ?? '')}
        </p>
      )}
      {showPhases && <PhaseSteps {...parts} />}
      {showAgents && <AgentCount {...parts} />}
      {showActivity && <ActivityFeed {...parts} max={activityMax} now={now} />}
    </section>
  )
  // The parts below show the server's snapshot until the store has the run's own state.
  return (
    <InitialRunState runId={runId} snapshot={initialState}>
      {section}
    </InitialRunState>
  )
})
