import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react'
import type { RunView } from '../core/RunView'
import { followRun } from './followRun'
import { useProgressClient } from './ProgressProvider'

type Selection<T> = { run: RunView | undefined; selector: unknown; value: T }

/**
 * One run's view from the provider's source, following the run while mounted (ref-counted across components).
 * With a selector the component re-renders only when the selected slice changes (by `equality`, default
 * `Object.is`); the selector sees only an existing run, so the result is `undefined` until the run appears.
 * @example
 * const run = useRun('r1')                           // RunView | undefined
 * const percent = useRun('r1', (run) => Math.round(run.displayed * 100))
 * const phases = useRun('r1', (run) => run.phases.map((p) => p.status), shallowEqual)
 */
export function useRun(runId: string): RunView | undefined
export function useRun<T>(
  runId: string,
  selector: (run: RunView) => T,
  equality?: (a: T, b: T) => boolean,
): T | undefined
export function useRun<T>(
  runId: string,
  selector?: (run: RunView) => T,
  equality: (a: T, b: T) => boolean = Object.is,
): T | RunView | undefined {
  const source = useProgressClient()
  useEffect(() => followRun(source, runId), [source, runId])
  // The last selection: reused while the run object and selector are the same, or the result is equal.
  const last = useRef<Selection<T | undefined> | null>(null)
  const equal = useRef(equality)
  equal.current = equality
  const getSnapshot = useCallback((): T | RunView | undefined => {
    const run = source.store.getState().runs[runId]
    if (!selector) return run
    const prev = last.current
    if (prev && prev.run === run && prev.selector === selector) return prev.value
    const value = run === undefined ? undefined : selector(run)
    if (
      prev &&
      (prev.value === value ||
        (prev.value !== undefined && value !== undefined && equal.current(prev.value, value)))
    ) {
      last.current = { run, selector, value: prev.value }
      return prev.value
    }
    last.current = { run, selector, value }
    return value
  }, [source, runId, selector])
  return useSyncExternalStore(source.store.subscribe, getSnapshot, getSnapshot)
}
