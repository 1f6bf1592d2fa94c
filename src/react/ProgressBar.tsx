import { type ComponentPropsWithoutRef, forwardRef, memo, useCallback, useState } from 'react'
import type { RunView } from '../core/RunView'
import { isTerminal } from '../core/runDraft'
import { type BarMotion, barTransform } from './barMotion'
import { etaText, type ProgressFormat } from './format'
import type { LabelsOverride, ProgressLabels } from './labels'
import { ProgressRoot } from './ProgressRoot'
import { isWaitingAgain, queueText } from './queueText'
import { cx, shallowEqual } from './shallowEqual'
import { useBarMotion } from './useBarMotion'
import { useDisplayedProgress } from './useDisplayedProgress'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'
import { useLabels } from './useLabels'
import { useRun } from './useRun'
import { ValueBar, type ValueBarProps } from './ValueBar'

export interface RunBarProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  /** The run to draw (needs a `ProgressProvider`). */
  runId: string
  /** Wording overrides (`progress` names the bar, `valueText` builds what screen readers hear). */
  labels?: LabelsOverride
  /** Locale for the percent, counts and ETA in `aria-valuetext`. */
  locale?: string
  /** Jump between values instead of springing; defaults to prefers-reduced-motion. */
  reducedMotion?: boolean
  value?: never
  max?: never
}

/** A run's bar (`runId`) or a bar of any value (`value` of `max`, no run or provider needed). */
export type ProgressBarProps = RunBarProps | ValueBarProps

const TERMINAL = { completed: 'complete', failed: 'failed', cancelled: 'cancelled' } as const

/** What the bar needs, as flat primitives: the bar re-renders only when one of them changes. */
function describe(run: RunView, labels: ProgressLabels, format: ProgressFormat) {
  const terminal = isTerminal(run.status)
  const indeterminate = !terminal && run.phases.length === 0
  const percent = Math.round(run.displayed * 100)
  const phase = run.phases.find((p) => p.status === 'active')
  const again = isWaitingAgain(run)
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
          queue: run.status === 'queued' ? queueText(run, again, labels, format) : undefined,
          midRun: again,
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
const BarTrack = /* @__PURE__ */ memo(function BarTrack({
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

/** `ProgressBar` for a run (what RunProgress draws: a page without standalone bars does not ship them). */
export const RunBar = /* @__PURE__ */ forwardRef<HTMLDivElement, RunBarProps>(function RunBar(
  { runId, labels: override, locale, reducedMotion, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const select = useCallback((run: RunView) => describe(run, labels, format), [labels, format])
  const bar = useRun(runId, select, shallowEqual)
  const state = bar?.state ?? 'indeterminate'
  const indeterminate = state === 'indeterminate'
  return (
    <ProgressRoot
      value={indeterminate ? null : bar?.percent}
      valueText={bar?.valueText ?? labels.preparing}
      labels={override}
      locale={locale}
      data-state={state}
      data-status={bar?.status ?? 'pending'}
      data-confidence={bar?.confidence}
      data-estimated={bar?.estimated ? '' : undefined}
      ref={ref}
      className={cx('lp-bar', className)}
      {...rest}
    >
      <BarTrack runId={runId} indeterminate={indeterminate} reducedMotion={reducedMotion} />
    </ProgressRoot>
  )
})

/**
 * An animated progress bar (`role="progressbar"`), springing on the compositor or stepping with reduced motion.
 * With `runId`: one run's bar, never backward; confirmed progress is a solid fill and the part that is a
 * time-based estimate is drawn striped beyond it; before a plan exists it is indeterminate (no `aria-valuenow`).
 * With `value` (and `max`, default 100) instead: a bar of any value, no run or provider needed; `null` is
 * indeterminate. Styling hooks: `data-state` ('indeterminate' | 'loading' | 'complete', and for runs 'failed' |
 * 'cancelled'), `data-value`, `data-max`; for runs also `data-status`, `data-confidence`, `data-estimated`,
 * `data-restarted` (the run started over under a new epoch and the bar went down once).
 * For another shape, build your own from `ProgressRoot` and `ProgressIndicator`.
 * @example
 * <ProgressBar runId="r1" className="my-bar" />
 * <ProgressBar value={bytes} max={size} aria-label="Upload" />
 */
export const ProgressBar = /* @__PURE__ */ forwardRef<HTMLDivElement, ProgressBarProps>(
  function ProgressBar(props, ref) {
    return props.runId === undefined ? <ValueBar {...props} ref={ref} /> : <RunBar {...props} ref={ref} />
  },
)
