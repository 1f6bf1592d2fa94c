import type { HubTimers } from './hubOptions'

/** Signals that tell a producer its run has had no viewer for a while (`run.unwatched()`). */
export interface UnwatchedSignals {
  /** An `AbortSignal` that aborts once the run has had no viewer for `afterMs` (counted from now if it has none now). */
  signal(afterMs: number): AbortSignal
  /** The number of viewers changed: at 0 every signal's clock starts, above 0 it stops and resets. */
  viewers(count: number): void
  /** Nothing is left to cancel (the run ended, or the hub let it go): clocks stop, no signal aborts any more. */
  dispose(): void
}

interface Pending {
  controller: AbortController
  afterMs: number
  timer: unknown
}

/**
 * One timer per signal, armed only while the run has no viewer.
 * @example
 * const unwatched = createUnwatchedSignals({ ...timers, viewers: () => subscribers.size })
 * const signal = unwatched.signal(30_000)
 */
export function createUnwatchedSignals(
  options: Pick<HubTimers, 'setTimeout' | 'clearTimeout'> & { viewers(): number },
): UnwatchedSignals {
  const pending = new Set<Pending>()
  let disposed = false

  function fire(entry: Pending) {
    entry.timer = undefined
    pending.delete(entry)
    entry.controller.abort(new DOMException(`no viewer for ${entry.afterMs} ms`, 'AbortError'))
  }

  function arm(entry: Pending) {
    entry.timer ??= options.setTimeout(() => fire(entry), entry.afterMs)
  }

  function disarm(entry: Pending) {
    if (entry.timer !== undefined) options.clearTimeout(entry.timer)
    entry.timer = undefined
  }

  return {
    signal(afterMs) {
      const controller = new AbortController()
      if (disposed) return controller.signal
      const entry: Pending = { controller, afterMs: Math.max(0, afterMs), timer: undefined }
      pending.add(entry)
      if (options.viewers() === 0) arm(entry)
      return controller.signal
    },
    viewers(count) {
      for (const entry of pending) {
        if (count === 0) arm(entry)
        else disarm(entry)
      }
    },
    dispose() {
      disposed = true
      for (const entry of pending) disarm(entry)
      pending.clear()
    },
  }
}
