import { type ComponentPropsWithoutRef, forwardRef, memo, useCallback, useState } from 'react'
import type { RunView } from '../core/RunView'
import { type BarMotion, barTransform } from './barMotion'
import { etaText, type ProgressFormat } from './format'
import { isTerminalStatus } from './isTerminalStatus'
import type { LabelsOverride, ProgressLabels } from './labels'
import { cx, shallowEqual } from './shallowEqual'
import { useBarMotion } from './useBarMotion'
import { useDisplayedProgress } from './useDisplayedProgress'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'
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
    estimated: run.estimated,
    confidence: run.confidence,
    valueText,
  }
}

/** One full-width segment, drawn where it stands at mount; from then on only `motion` moves it. */
function BarSegment({
  className,
  motion,
  index,
  at,
}: {
  className: string
  motion: BarMotion
  index: number
  at: number
}) {
  // Kept as first rendered: React never writes it again, so it does not fight the animation.
  const [style] = useState(() => ({ transform: barTransform(at) }))
  return <span className={className} ref={motion.segment(index)} style={style} />
}

/**
 * The drawn part. Memoized, and fed by a store subscription rather than renders: a new percent in
 * `aria-valuetext` re-renders the bar's root only, and the segments move on the compositor.
 */
const BarTrack = memo(function BarTrack({
  runId,
  indeterminate,
  reducedMotion,
}: {
  runId: string
  indeterminate: boolean
  reducedMotion: boolean | undefined
}) {
  const progress = useDisplayedProgress(runId)
  const motion = useBarMotion(reducedMotion)
  // Before paint: another run must not show the previous run's fill for a frame.
  useIsomorphicLayoutEffect(() => {
    if (indeterminate) return
    const draw = (jump?: boolean) => motion.draw([progress.get(), progress.getConfirmed()], jump)
    draw(true)
    return progress.on('change', () => draw())
  }, [progress, motion, indeterminate])
  return (
    <span className="lp-bar__track" aria-hidden="true">
      {indeterminate ? (
        <span className="lp-bar__indeterminate" />
      ) : (
        <>
          <BarSegment className="lp-bar__estimate" motion={motion} index={0} at={progress.get()} />
          <BarSegment className="lp-bar__fill" motion={motion} index={1} at={progress.getConfirmed()} />
        </>
      )}
    </span>
  )
})

/**
 * An animated, never-backward progress bar for one run (`role="progressbar"`). Confirmed progress is a solid
 * fill; the part that is a time-based estimate is drawn striped beyond it. Before a plan exists it shows an
 * indeterminate look and omits `aria-valuenow`. Styling hooks: `data-state` ('indeterminate' | 'loading' |
 * 'complete' | 'failed' | 'cancelled'), `data-status`, `data-confidence`, `data-estimated`.
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
      ref={ref}
      className={cx('lp-bar', className)}
      {...rest}
    >
      <BarTrack runId={runId} indeterminate={indeterminate} reducedMotion={reducedMotion} />
    </div>
  )
})
