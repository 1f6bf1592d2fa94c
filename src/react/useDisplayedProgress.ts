import { type MotionValue, useMotionValue, useSpring, useTransform } from 'framer-motion'
import { useRef } from 'react'
import type { RunView } from '../core/RunView'
import { useProgressClient } from './ProgressProvider'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'
import { usePrefersReducedMotion } from './usePrefersReducedMotion'

// Close to critical damping: settles in ~0.4 s without a visible overshoot.
const SPRING = { stiffness: 170, damping: 26, restDelta: 0.0005 }

export interface DisplayedProgressOptions {
  /** Jump instead of spring; defaults to the person's prefers-reduced-motion setting. */
  reducedMotion?: boolean
}

/**
 * The run's displayed progress (0–1) as a framer-motion `MotionValue` that springs toward each new `displayed`
 * value. It is fed by a store subscription, not by renders: the bar moves every animation frame while the
 * component renders only when its meaning changes. It never goes below a value it showed nor above the
 * run's `displayed` (a new epoch starts again from its own value). With reduced motion it jumps.
 * @example
 * const value = useDisplayedProgress('r1')
 * const width = useTransform(value, (v) => `${v * 100}%`)
 * return <m.div className="fill" style={{ width }} />
 */
export function useDisplayedProgress(
  runId: string,
  options: DisplayedProgressOptions = {},
): MotionValue<number> {
  const source = useProgressClient()
  const reduced = usePrefersReducedMotion(options.reducedMotion)
  const initial = source.store.getState().runs[runId]?.displayed ?? 0
  const target = useMotionValue(initial)
  const spring = useSpring(target, SPRING)
  const floor = useRef(initial)
  const shown = useTransform(spring, (v: number) => {
    const capped = Math.min(v, target.get())
    if (capped > floor.current) floor.current = capped
    return floor.current
  })

  const shownRun = useRef(runId)

  // Before paint: another run must not show the previous run's fill for a frame.
  useIsomorphicLayoutEffect(() => {
    let epoch: string | null | undefined
    const restart = (value: number) => {
      floor.current = 0
      target.jump(value)
      spring.jump(value)
    }
    if (shownRun.current !== runId) {
      // Another run: its own start, drawn at once (0 until it appears), never the previous run's value.
      shownRun.current = runId
      restart(source.store.getState().runs[runId]?.displayed ?? 0)
    }
    const push = (run: RunView | undefined) => {
      if (!run) return
      if (epoch !== undefined && run.epoch !== epoch) {
        // A new log: its own start, drawn at once rather than sliding backward.
        restart(run.displayed)
      } else {
        target.set(Math.max(target.get(), run.displayed))
      }
      epoch = run.epoch
    }
    push(source.store.getState().runs[runId])
    return source.store.subscribe((state, prev) => {
      const run = state.runs[runId]
      if (run !== prev.runs[runId]) push(run)
    })
  }, [source, runId, target, spring])

  return reduced ? target : shown
}
