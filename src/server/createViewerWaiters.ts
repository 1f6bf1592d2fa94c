import type { HubTimers } from './hubOptions'

/** Producers waiting for a run's first viewer (`run.firstSubscriber`). */
export interface ViewerWaiters {
  /** Resolves true at `seen()`, false after `timeoutMs` or at `dispose()`. */
  wait(timeoutMs?: number): Promise<boolean>
  /** A viewer arrived: every waiter resolves true. */
  seen(): void
  readonly size: number
  dispose(): void
}

/**
 * @example
 * const waiters = createViewerWaiters({ ...timers, settled: () => watch.arm() })
 * await waiters.wait(5000)
 */
export function createViewerWaiters(
  options: Pick<HubTimers, 'setTimeout' | 'clearTimeout'> & { settled(): void },
): ViewerWaiters {
  const waiting = new Set<(seen: boolean) => void>()
  const settleAll = (seen: boolean) => {
    for (const settle of [...waiting]) settle(seen)
  }
  return {
    wait(timeoutMs) {
      return new Promise((resolve) => {
        let timer: unknown
        const settle = (seen: boolean) => {
          waiting.delete(settle)
          if (timer !== undefined) options.clearTimeout(timer)
          resolve(seen)
          options.settled()
        }
        waiting.add(settle)
        if (timeoutMs !== undefined) timer = options.setTimeout(() => settle(false), timeoutMs)
      })
    },
    seen: () => settleAll(true),
    get size() {
      return waiting.size
    },
    dispose: () => settleAll(false),
  }
}
