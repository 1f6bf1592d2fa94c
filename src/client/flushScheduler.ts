import { hostTimers } from '../transport/hostTimers'

/** When the store publishes: every animation frame, every N ms, or synchronously on each ingest. */
export type FlushMode = 'frame' | number | 'sync'

/** The parts of the world the scheduler needs; injected so tests and non-browser hosts can replace them. */
export interface SchedulerEnv {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
  requestAnimationFrame?: (fn: () => void) => unknown
  cancelAnimationFrame?: (handle: unknown) => void
}

export interface FlushScheduler {
  /** Asks for one flush soon; many calls before it runs still give one flush. */
  schedule(): void
  /**
   * The flush that just ended kept the main thread busy for `ms` (building views and rendering its listeners).
   * From half a frame on, no flush runs for as long from now, so a host that cannot keep up renders at most half
   * the time and catches up in fewer, larger commits instead of one per frame.
   */
  busy(ms: number): void
  /** Forgets a pending flush (the caller flushes by hand, or is shutting down). */
  cancel(): void
  readonly mode: FlushMode
}

/** The host's timers, looked up when called, never at module load (tests replace them). */
export function defaultSchedulerEnv(): SchedulerEnv {
  const g = globalThis as typeof globalThis & Partial<Pick<SchedulerEnv, 'requestAnimationFrame'>>
  return {
    ...hostTimers(),
    requestAnimationFrame:
      typeof g.requestAnimationFrame === 'function' ? (fn) => g.requestAnimationFrame!(fn) : undefined,
    cancelAnimationFrame:
      typeof g.cancelAnimationFrame === 'function'
        ? (handle) => g.cancelAnimationFrame(handle as number)
        : undefined,
  }
}

/** Half a 60 Hz frame: a flush shorter than this leaves the frame its time anyway. */
const HEAVY_FLUSH_MS = 8

/**
 * Batching lives here and nowhere else: any number of `schedule()` calls between two flushes become one
 * call of `flush`, on the next animation frame (16 ms timer without one), after N ms, or at once.
 */
export function createFlushScheduler(flush: () => void, mode: FlushMode, env: SchedulerEnv): FlushScheduler {
  let pending: { handle: unknown; raf: boolean } | null = null
  // A rest after a heavy flush: a timer from the moment it ended; flushes asked for meanwhile wait for it.
  let resting: unknown = null
  let wanted = false
  const interval = typeof mode === 'number' ? mode : 16
  const run = () => {
    pending = null
    flush()
  }
  const request = () => {
    if (mode === 'frame' && env.requestAnimationFrame) {
      pending = { handle: env.requestAnimationFrame(run), raf: true }
    } else {
      pending = { handle: env.setTimeout(run, interval), raf: false }
    }
  }
  return {
    mode,
    schedule() {
      if (mode === 'sync') return flush()
      if (pending) return
      if (resting !== null) wanted = true
      else request()
    },
    busy(ms) {
      if (mode === 'sync' || ms < HEAVY_FLUSH_MS || resting !== null) return
      resting = env.setTimeout(() => {
        resting = null
        if (!wanted) return
        wanted = false
        if (!pending) request()
      }, ms)
    },
    cancel() {
      wanted = false
      if (resting !== null) env.clearTimeout(resting)
      resting = null
      if (!pending) return
      if (pending.raf) env.cancelAnimationFrame?.(pending.handle)
      else env.clearTimeout(pending.handle)
      pending = null
    },
  }
}
