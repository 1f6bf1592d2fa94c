import { type ComponentPropsWithoutRef, forwardRef, useCallback } from 'react'
import type { RunView } from '../core/RunView'
import { isTerminal } from '../core/runDraft'
import { etaText, type ProgressFormat } from './format'
import type { LabelsOverride, ProgressLabels } from './labels'
import { isWaitingAgain } from './queueText'
import { cx, shallowEqual } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'

export interface ProgressValueProps extends Omit<ComponentPropsWithoutRef<'span'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
}

function describe(run: RunView, labels: ProgressLabels, format: ProgressFormat) {
  const terminal = isTerminal(run.status)
  // Nothing to say yet (no plan, or queued before it started: the queue notice says it): no number that means
  // nothing. A run waiting again in its middle keeps the percent it reached.
  if ((run.status === 'queued' && !isWaitingAgain(run)) || (!terminal && run.phases.length === 0)) return null
  const percent = format.percent(Math.round(run.displayed * 100) / 100)
  return {
    text: labels.shownValue(percent, etaText(run, labels.eta, format)),
    estimated: run.estimated && !terminal,
  }
}

/**
 * The bar's value for sighted people: "48% · about 20 sec left" (the rounded displayed percent, and the estimate of
 * the time left while there is one; worded by `labels.shownValue`). Hidden from screen readers, which hear the same from the bar's
 * `aria-valuetext`. Renders nothing before a plan exists and while the run is queued. `data-estimated` is set
 * while part of the percent is a time-based estimate.
 * @example
 * <ProgressValue runId="r1" locale="de" />
 */
export const ProgressValue = forwardRef<HTMLSpanElement, ProgressValueProps>(function ProgressValue(
  { runId, labels: override, locale, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const select = useCallback((run: RunView) => describe(run, labels, format), [labels, format])
  const value = useRun(runId, select, shallowEqual)
  if (!value) return null
  return (
    <span
      aria-hidden="true"
      data-estimated={value.estimated ? '' : undefined}
      ref={ref}
      className={cx('lp-value', className)}
      {...rest}
    >
      {value.text}
    </span>
  )
})
