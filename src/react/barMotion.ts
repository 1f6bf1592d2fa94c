import { type Playing, springTo } from './motion'

/** How a segment showing `fraction` (0–1) of the track is moved: a full-width part slid in from the start. */
export const barTransform = (fraction: number): string =>
  `translateX(${(Math.min(Math.max(fraction, 0), 1) - 1) * 100}%)`

/** Draws segments of a bar (see {@link createBarMotion}). */
export interface BarMotion {
  /** The ref callback for segment `index`; stable per index. */
  segment(index: number): (element: HTMLElement | null) => void
  /**
   * Moves each segment to its fraction, all together: with a spring, or at once with `jump`, `reduced` motion,
   * without the Web Animations API (jsdom), or when any segment would move backward (a new start is drawn at
   * once, never slid back).
   */
  draw(fractions: readonly number[], jump?: boolean): void
  /** Whether to step instead of springing. */
  reduced: boolean
  /** Stops what is moving (on unmount). */
  stop(): void
}

/**
 * Moves a bar's segments with compositor transforms. Segments restart together with the same spring, so one
 * drawn under another (the solid fill under the estimate) stays under it all the way.
 * @example
 * const motion = createBarMotion()
 * motion.draw([0.4, 0.3])
 */
export function createBarMotion(): BarMotion {
  const elements: (HTMLElement | null)[] = []
  const refs: ((element: HTMLElement | null) => void)[] = []
  let playing: Playing[] = []
  let drawn: readonly number[] = []
  const motion: BarMotion = {
    reduced: false,
    segment: (index) =>
      (refs[index] ??= (element) => {
        elements[index] = element
      }),
    draw(fractions, jump) {
      if (!jump && fractions.every((to, index) => to === drawn[index])) return
      jump ||= motion.reduced || fractions.some((to, index) => to < (drawn[index] ?? 0))
      drawn = fractions
      motion.stop()
      fractions.forEach((to, index) => {
        const element = elements[index]
        if (!element) return
        if (jump || !element.animate) element.style.transform = barTransform(to)
        else playing.push(springTo(element, barTransform(to)))
      })
    },
    stop() {
      for (const animation of playing) animation.stop()
      playing = []
    },
  }
  return motion
}
