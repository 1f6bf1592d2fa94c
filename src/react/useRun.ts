import { useCallback, useEffect, useRef, useSyncExternalStore } from 'react'
import type { RunView } from '../core/RunView'
import { followRun } from './followRun'
import { useInitialRun } from './InitialRunState'
import { useProgressClient } from './ProgressProvider'
import type { RunSnapshot } from './runSnapshot'
import { type RunCallbacks, useRunCallbacks } from './useRunCallbacks'

/** How `useRun` follows a run. */
export interface UseRunOptions extends RunCallbacks {
  /** Follow the run (subscribe to it on the server). `false` reads what the store has without following. Default true. */
  enabled?: boolean
  /** The run as the server rendered it (`{ epoch, seq, state }`), shown until the store has the run's own state. */
  initialState?: RunSnapshot
}

type Selection<T> = { run: RunView | undefined; selector: unknown; value: T }

/**
 * One run's view from the provider's source, following the run while mounted (ref-counted across components).
 * With a selector the component re-renders only when the selected slice changes (by `equality`, default
 * `Object.is`); the selector sees only an existing run, so the result is `undefined` until the run appears (or
 * its `initialState`, or the nearest `InitialRunState`'s, until the store has heard from it).
 * @example
 * const run = useRun('r1')                           // RunView | undefined
 * const percent = useRun('r1', (run) => Math.round(run.displayed * 100))
 * const phases = useRun('r1', (run) => run.phases.map((p) => p.status), shallowEqual)
 * const done = useRun('r1', { enabled: open, onComplete: () => toast('Report ready') })?.status === 'completed'
 */
export function useRun(runId: string, options?: UseRunOptions): RunView | undefined
export function useRun<T>(
  runId: string,
  selector: (run: RunView) => T,
  equality?: (a: T, b: T) => boolean,
  options?: UseRunOptions,
): T | undefined
export function useRun<T>(
  runId: string,
  selectorOrOptions?: ((run: RunView) => T) | UseRunOptions,
  equality: (a: T, b: T) => boolean = Object.is,
  more?: UseRunOptions,
): T | RunView | undefined {
  const selector = typeof selectorOrOptions === 'function' ? selectorOrOptions : undefined
  const options = (typeof selectorOrOptions === 'object' ? selectorOrOptions : more) ?? {}
  const source = useProgressClient()
  const enabled = options.enabled !== false
  useEffect(() => (enabled ? followRun(source, runId) : undefined), [source, runId, enabled])
  const initial = useInitialRun(runId, options.initialState)
  // The store's run once it has heard from the server (a run just followed is an empty shell), else the snapshot.
  const read = useCallback((): RunView | undefined => {
    const run = source.store.getState().runs[runId]
    return initial && (run === undefined || run.epoch === null) ? initial : run
  }, [source, runId, initial])
  useRunCallbacks(source, runId, read, options)
  // The last selection: reused while the run object and selector are the same, or the result is equal.
  const last = useRef<Selection<T | undefined> | null>(null)
  const equal = useRef(equality)
  equal.current = equality
  const getSnapshot = useCallback((): T | RunView | undefined => {
    const run = read()
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
  }, [read, selector])
  return useSyncExternalStore(source.store.subscribe, getSnapshot, getSnapshot)
}
