import { useEffect, useState } from 'react'
import { type BarMotion, createBarMotion } from './barMotion'
import { usePrefersReducedMotion } from './usePrefersReducedMotion'

/**
 * Moves the segments of a bar you draw yourself: give each segment `ref={motion.segment(i)}` and a full-width
 * box at the track's inline start, then `motion.draw([fraction, …])`. They spring on the compositor
 * (framer-motion's Web Animations API animation), or step with `reducedMotion` (defaults to
 * prefers-reduced-motion). Render the first position yourself: `style={{ transform: barTransform(v) }}`.
 * @example
 * const motion = useBarMotion()
 * useEffect(() => progress.on('change', (v) => motion.draw([v])), [progress, motion])
 * return <div className="track"><div className="fill" ref={motion.segment(0)} /></div>
 */
export function useBarMotion(reducedMotion?: boolean): BarMotion {
  const [motion] = useState(createBarMotion)
  motion.reduced = usePrefersReducedMotion(reducedMotion)
  useEffect(() => () => motion.stop(), [motion])
  return motion
}
