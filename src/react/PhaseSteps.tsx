import { type ComponentPropsWithoutRef, forwardRef, memo } from 'react'
import type { RunView } from '../core/RunView'
import type { TaskCounts } from '../core/taskCounts'
import type { PhaseState } from '../protocol/types'
import type { ProgressFormat } from './format'
import type { LabelsOverride, ProgressLabels } from './labels'
import { cx, shallowEqual } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'

export interface PhaseStepsProps extends Omit<ComponentPropsWithoutRef<'ol'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
}

const pick = (run: RunView) => ({ phases: run.phases, status: run.status, tasks: run.tasks })

/**
 * One step. Memoized: the reducer keeps the identity of phases that did not change, so a progress update
 * re-renders the active step only, not the whole plan.
 */
const PhaseStep = memo(function PhaseStep({
  phase,
  tasks,
  labels,
  format,
}: {
  phase: PhaseState
  tasks: TaskCounts | undefined
  labels: ProgressLabels
  format: ProgressFormat
}) {
  // A phase the run's cancel stopped midway was not skipped as not needed: it says so.
  const stopped = phase.interrupted === true && phase.status === 'skipped'
  return (
    <li
      className="lp-steps__item"
      data-state={phase.status}
      data-interrupted={phase.interrupted ? '' : undefined}
      aria-current={phase.status === 'active' ? 'step' : undefined}
    >
      <span className="lp-steps__label">{phase.label}</span>
      <span className="lp-steps__status">
        {stopped ? labels.phaseStopped : labels.phaseStatus[phase.status]}
      </span>
      {phase.total !== undefined && phase.total > 0 && (
        <span className="lp-steps__count">
          {labels.count(format.number(phase.done ?? 0), format.number(phase.total))}
        </span>
      )}
      {tasks && tasks.total > 0 && (
        <span className="lp-steps__tasks" data-running={tasks.running}>
          {labels.tasks(
            tasks,
            {
              running: format.number(tasks.running),
              done: format.number(tasks.done),
              total: format.number(tasks.total),
            },
            phase.id,
          )}
        </span>
      )}
      {phase.startedAt !== undefined && phase.endedAt !== undefined && (
        <span className="lp-steps__duration">
          {labels.took(format.duration(phase.endedAt - phase.startedAt))}
        </span>
      )}
      {phase.error && <span className="lp-steps__error">{phase.error}</span>}
    </li>
  )
})

/**
 * The run's plan as an ordered list: each step's label, status in words, counts ("12 of 40"), its parallel tasks
 * ("3 of 6 tasks running", announced by `phase_started.tasks`), duration once it ended, and the error of a failed
 * step. Each `<li>` has `data-state` = the phase status ('pending' | 'active' | 'done' | 'skipped' | 'failed') and
 * `data-interrupted` when the run's end closed it (a cancel's stopped phase reads "Stopped"); the active one has
 * `aria-current="step"`, and none has under a finished run (its end closes every phase); the list's `data-state` is
 * the run status. Renders nothing before a plan.
 * @example
 * <PhaseSteps runId="r1" labels={{ phaseStatus: { skipped: 'Not needed' } }} />
 */
export const PhaseSteps = forwardRef<HTMLOListElement, PhaseStepsProps>(function PhaseSteps(
  { runId, labels: override, locale, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const plan = useRun(runId, pick, shallowEqual)
  const phases = plan?.phases
  if (!phases || phases.length === 0) return null
  return (
    <ol
      aria-label={labels.phases}
      data-state={plan.status}
      ref={ref}
      className={cx('lp-steps', className)}
      {...rest}
    >
      {phases.map((phase) => (
        <PhaseStep
          key={phase.id}
          phase={phase}
          tasks={plan.tasks[phase.id]}
          labels={labels}
          format={format}
        />
      ))}
    </ol>
  )
})
