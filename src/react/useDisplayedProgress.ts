import { useMemo } from 'react'
import type { StoreApi } from 'zustand/vanilla'
import type { ProgressState } from '../client/createProgressStore'
import type { RunView } from '../core/RunView'
import { useInitialRun } from './InitialRunState'
import { useProgressClient } from './ProgressProvider'

/** A run's drawn progress, read and followed without re-rendering (see {@link useDisplayedProgress}). */
export interface DisplayedProgress {
  /** What the bar moves to (0–1): the run's `displayed`, never below a value shown before in this epoch. */
  get(): number
  /** The solid part of it (0–1): confirmed by the server, never above `get()`, never backward in an epoch. */
  getConfirmed(): number
  /**
   * Calls `listener` with `get()` whenever the run changes in the store (the value may be the same). Lower than
   * before means a new epoch started from its own value: draw that at once. Returns the unsubscribe.
   */
  on(event: 'change', listener: (value: number) => void): () => void
}

/** Follows one run of one store (or `initial`, the server's snapshot of it, until the store has heard from it). */
export function createDisplayedProgress(
  store: StoreApi<ProgressState>,
  runId: string,
  initial?: RunView | null,
): DisplayedProgress {
  let epoch: string | null | undefined
  let shown = 0
  let confirmed = 0
  const read = () => {
    const stored = store.getState().runs[runId]
    const run = initial && (stored === undefined || stored.epoch === null) ? initial : stored
    if (!run) return
    // A new log starts again from its own value, rather than holding the old epoch's.
    if (run.epoch !== epoch) shown = confirmed = 0
    epoch = run.epoch
    shown = Math.max(shown, run.displayed)
    confirmed = Math.max(confirmed, Math.min(run.progress, shown))
  }
  const view: DisplayedProgress = {
    get() {
      read()
      return shown
    },
    getConfirmed() {
      read()
      return confirmed
    },
    on: (_event, listener) =>
      store.subscribe((state, prev) => {
        if (state.runs[runId] !== prev.runs[runId]) listener(view.get())
      }),
  }
  return view
}

/**
 * The run's drawn progress (0–1) for drawing your own bar: `get()` what to show, `getConfirmed()` its solid
 * part, `on('change')` to follow it from the store without re-rendering. It never goes below a value it
 * showed nor above the run's `displayed`; a new epoch or another `runId` starts again from its own value.
 * `useBarMotion` animates it as the kit's bar does.
 * @example
 * const progress = useDisplayedProgress('r1')
 * useEffect(() => progress.on('change', (v) => { fill.current!.style.transform = `scaleX(${v})` }), [progress])
 */
export function useDisplayedProgress(runId: string): DisplayedProgress {
  const { store } = useProgressClient()
  const initial = useInitialRun(runId)
  return useMemo(() => createDisplayedProgress(store, runId, initial), [store, runId, initial])
}
