import { type ComponentPropsWithoutRef, forwardRef } from 'react'
import type { LabelsOverride } from './labels'
import { ProgressIndicator } from './ProgressIndicator'
import { ProgressRoot, readMeter } from './ProgressRoot'
import { cx } from './shallowEqual'

export interface ValueBarProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  /** Done so far, from 0 to `max`; `null` is indeterminate. */
  value: number | null
  /** Default 100. */
  max?: number
  /** What screen readers hear; defaults to the percent. */
  valueText?: string
  labels?: LabelsOverride
  locale?: string
  /** Jump between values instead of springing; defaults to prefers-reduced-motion. */
  reducedMotion?: boolean
  runId?: undefined
}

/** `ProgressBar` without a run: the kit's look around a `ProgressRoot` and its `ProgressIndicator`. */
export const ValueBar = /* @__PURE__ */ forwardRef<HTMLDivElement, ValueBarProps>(function ValueBar(
  { value, max, reducedMotion, className, runId: _, ...rest },
  ref,
) {
  const indeterminate = readMeter(value, max).fraction === null
  return (
    <ProgressRoot value={value} max={max} ref={ref} className={cx('lp-bar', className)} {...rest}>
      <span className="lp-bar__track" aria-hidden="true">
        {indeterminate ? (
          <span className="lp-bar__indeterminate" />
        ) : (
          <ProgressIndicator className="lp-bar__fill" reducedMotion={reducedMotion} />
        )}
      </span>
    </ProgressRoot>
  )
})
