import { type ComponentPropsWithoutRef, forwardRef, useCallback, useRef, useState } from 'react'
import { barTransform } from './barMotion'
import { useProgressMeter } from './ProgressRoot'
import { useBarMotion } from './useBarMotion'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'

export interface ProgressIndicatorProps extends ComponentPropsWithoutRef<'span'> {
  /** Jump instead of spring; defaults to prefers-reduced-motion. */
  reducedMotion?: boolean
}

/**
 * The moving part inside a `ProgressRoot`: a full-width box at the track's inline start, slid by a transform to
 * the root's value, springing on the compositor (or stepping with reduced motion). Style it as the fill; put it
 * in an `overflow: hidden` track. Repeats the root's `data-state`, `data-value` and `data-max`.
 * @example
 * <ProgressRoot value={3} max={8}><div className="track"><ProgressIndicator className="fill" /></div></ProgressRoot>
 */
export const ProgressIndicator = /* @__PURE__ */ forwardRef<HTMLSpanElement, ProgressIndicatorProps>(
  function ProgressIndicator({ reducedMotion, style, ...rest }, ref) {
    const meter = useProgressMeter()
    const fraction = meter.fraction ?? 0
    const motion = useBarMotion(reducedMotion)
    // Drawn where it stands at mount (server HTML included); from then on only `motion` moves it.
    const [transform] = useState(() => barTransform(fraction))
    const drawn = useRef(false)
    useIsomorphicLayoutEffect(() => {
      motion.draw([fraction], !drawn.current)
      drawn.current = true
    }, [motion, fraction])
    const segment = motion.segment(0)
    const setRef = useCallback(
      (element: HTMLSpanElement | null) => {
        segment(element)
        if (typeof ref === 'function') ref(element)
        else if (ref) ref.current = element
      },
      [segment, ref],
    )
    return (
      <span
        data-state={meter.state}
        data-value={meter.value}
        data-max={meter.max}
        ref={setRef}
        style={{ ...style, transform }}
        {...rest}
      />
    )
  },
)
