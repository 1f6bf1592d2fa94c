import { domMin, LazyMotion, type MotionValue, m, useMotionValue, useTransform } from 'framer-motion'
import { type ComponentPropsWithoutRef, forwardRef, memo, useCallback, useEffect } from 'react'
import type { RunView } from '../core/RunView'
import { etaText, type ProgressFormat } from './format'
import { isTerminalStatus } from './isTerminalStatus'
import type { LabelsOverride, ProgressLabels } from './labels'
import { cx, shallowEqual } from './shallowEqual'
import { useDisplayedProgress } from './useDisplayedProgress'
import { useLabels } from './useLabels'
import { useRun } from './useRun'

export interface ProgressBarProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  runId: string
  /** Wording overrides (`progress` names the bar, `valueText` builds what screen readers hear). */
  labels?: LabelsOverride
  /** Locale for the percent, counts and ETA in `aria-valuetext`. */
  locale?: string
  /** Jump between values instead of springing; defaults to prefers-reduced-motion. */
  reducedMotion?: boolean
}

const TERMINAL = { completed: 'complete', failed: 'failed', cancelled: 'cancelled' } as const

/** What the bar needs, as flat primitives: the bar re-renders only when one of them changes. */
function describe(run: RunView, labels: ProgressLabels, format: ProgressFormat) {
  const terminal = isTerminalStatus(run.status)
  const indeterminate = !terminal && run.phases.length === 0
  const percent = Math.round(run.displayed * 100)
  const phase = run.phases.find((p) => p.status === 'active')
  // A queued run says where it stands in the queue, plan or not.
  const valueText =
    indeterminate && run.status !== 'queued'
      ? labels.preparing
      : labels.valueText({
          status: run.status,
          statusLabel: labels.runStatus[run.status],
          percent: format.percent(percent / 100),
          phase: phase?.label,
          count:
            phase?.total !== undefined && phase.total > 0
              ? labels.count(format.number(phase.done ?? 0), format.number(phase.total))
              : undefined,
          eta: etaText(run, labels.eta, format),
          estimated: run.estimated,
          queue:
            run.status === 'queued'
              ? labels.queued(run.queuePosition ?? 0, format.number(run.queuePosition ?? 0))
              : undefined,
        })
  return {
    state: terminal
      ? TERMINAL[run.status as keyof typeof TERMINAL]
      : indeterminate
        ? 'indeterminate'
        : 'loading',
    status: run.status,
    percent,
    confirmed: run.progress,
    estimated: run.estimated,
    confidence: run.confidence,
    restarted: run.restarted === true,
    valueText,
  }
}

/**
 * The drawn part. Memoized: its motion values are stable and move off the React path, so a new percent in
 * `aria-valuetext` re-renders the bar's root only, not the motion components.
 */
const BarTrack = memo(function BarTrack({
  indeterminate,
  estimate,
  fill,
}: {
  indeterminate: boolean
  estimate: MotionValue<string>
  fill: MotionValue<string>
}) {
  return (
    <LazyMotion features={domMin}>
      <span className="lp-bar__track" aria-hidden="true">
        {indeterminate ? (
          <span className="lp-bar__indeterminate" />
        ) : (
          <>
            <m.span className="lp-bar__estimate" style={{ width: estimate }} />
            <m.span className="lp-bar__fill" style={{ width: fill }} />
          </>
        )}
      </span>
    </LazyMotion>
  )
})

/**
 * An animated, never-backward progress bar for one run (`role="progressbar"`). Confirmed progress is a solid
 * fill; the part that is a time-based estimate is drawn striped beyond it. Before a plan exists it shows an
 * indeterminate look and omits `aria-valuenow`. Styling hooks: `data-state` ('indeterminate' | 'loading' |
 * 'complete' | 'failed' | 'cancelled'), `data-status`, `data-confidence`, `data-estimated`, `data-restarted` (the run
 * started over under a new epoch and the bar went down once).
 * @example
 * <ProgressBar runId="r1" className="my-bar" />
 */
export const ProgressBar = forwardRef<HTMLDivElement, ProgressBarProps>(function ProgressBar(
  { runId, labels: override, locale, reducedMotion, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const select = useCallback((run: RunView) => describe(run, labels, format), [labels, format])
  const bar = useRun(runId, select, shallowEqual)
  const shown = useDisplayedProgress(runId, { reducedMotion })
  const confirmed = useMotionValue(bar?.confirmed ?? 0)
  useEffect(() => confirmed.set(bar?.confirmed ?? 0), [confirmed, bar?.confirmed])
  const estimateWidth = useTransform(shown, (v: number) => `${v * 100}%`)
  const fillWidth = useTransform(
    [shown, confirmed],
    ([v, c]: number[]) => `${Math.min(v ?? 0, c ?? 0) * 100}%`,
  )
  const state = bar?.state ?? 'indeterminate'
  const indeterminate = state === 'indeterminate'
  return (
    <div
      role="progressbar"
      // A name given by the host (e.g. the run's title through aria-labelledby) replaces the generic one.
      aria-label={rest['aria-labelledby'] === undefined ? labels.progress : undefined}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : bar?.percent}
      aria-valuetext={bar?.valueText ?? labels.preparing}
      data-state={state}
      data-status={bar?.status ?? 'pending'}
      data-confidence={bar?.confidence}
      data-estimated={bar?.estimated ? '' : undefined}
      data-restarted={bar?.restarted ? '' : undefined}
      ref={ref}
      className={cx('lp-bar', className)}
      {...rest}
    >
      <BarTrack indeterminate={indeterminate} estimate={estimateWidth} fill={fillWidth} />
    </div>
  )
})
