import { type ComponentPropsWithoutRef, createContext, forwardRef, useContext } from 'react'
import type { LabelsOverride } from './labels'
import { useLabels } from './useLabels'

/** What a root tells its indicator: the fraction shown (null: indeterminate) and the attributes to repeat. */
interface Meter {
  fraction: number | null
  value: number | undefined
  max: number
  state: 'indeterminate' | 'loading' | 'complete'
}

const MeterContext = /* @__PURE__ */ createContext<Meter>({
  fraction: null,
  value: undefined,
  max: 100,
  state: 'indeterminate',
})

/** The value a root was given, read by its `ProgressIndicator` (or your own part). */
export const useProgressMeter = (): Meter => useContext(MeterContext)

/** `value` of `max` made safe: a missing or invalid value is indeterminate, the rest is clamped to [0, max]. */
export function readMeter(value: number | null | undefined, max = 100): Meter {
  const top = Number.isFinite(max) && max > 0 ? max : 100
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { fraction: null, value: undefined, max: top, state: 'indeterminate' }
  }
  const clamped = Math.min(Math.max(value, 0), top)
  return {
    fraction: clamped / top,
    value: clamped,
    max: top,
    state: clamped === top ? 'complete' : 'loading',
  }
}

export interface ProgressRootProps extends ComponentPropsWithoutRef<'div'> {
  /** Done so far, from 0 to `max`. `null` or left out: indeterminate (no `aria-valuenow`). */
  value?: number | null
  /** Default 100. */
  max?: number
  /** What screen readers hear; defaults to the percent ("40%") in the provider's locale, or `labels.preparing`. */
  valueText?: string
  labels?: LabelsOverride
  locale?: string
}

/**
 * The `role="progressbar"` element of a bar of your own, with no run and no provider needed (Radix-style): it
 * carries `aria-valuenow`/`aria-valuemax`/`aria-valuetext`, `data-state` ('indeterminate' | 'loading' |
 * 'complete'), `data-value` and `data-max`, and gives its value to a `ProgressIndicator` inside.
 * @example
 * <ProgressRoot value={uploaded} max={size} className="upload">
 *   <ProgressIndicator className="upload__fill" />
 * </ProgressRoot>
 */
export const ProgressRoot = /* @__PURE__ */ forwardRef<HTMLDivElement, ProgressRootProps>(
  function ProgressRoot({ value, max, valueText, labels: override, locale, children, ...rest }, ref) {
    const { labels, format } = useLabels(override, locale)
    const meter = readMeter(value, max)
    return (
      <MeterContext.Provider value={meter}>
        <div
          role="progressbar"
          // A name given by the host (aria-labelledby, or its own aria-label below) replaces the generic one.
          aria-label={rest['aria-labelledby'] === undefined ? labels.progress : undefined}
          aria-valuemin={0}
          aria-valuemax={meter.max}
          aria-valuenow={meter.value}
          aria-valuetext={
            valueText ?? (meter.fraction === null ? labels.preparing : format.percent(meter.fraction))
          }
          data-state={meter.state}
          data-value={meter.value}
          data-max={meter.max}
          ref={ref}
          {...rest}
        >
          {children}
        </div>
      </MeterContext.Provider>
    )
  },
)
