import { useEffect, useRef } from 'react'
import type { RunView } from '../core/RunView'
import type { RunStatus } from '../protocol/types'
import type { ProgressSource } from './ProgressSource'

/** What a run's life tells its host (see `useRun`). */
export interface RunCallbacks {
  /** The run completed (once per epoch; also when it had already completed at mount). */
  onComplete?: (run: RunView) => void
  /** The run's status changed from what this component saw before (not called for the first one seen). */
  onStatusChange?: (status: RunStatus, run: RunView) => void
}

/**
 * Calls `callbacks` as `read()` (the run the component shows) changes in `source`'s store. The latest callbacks
 * are used without resubscribing, so inline functions are fine.
 * @example
 * useRunCallbacks(source, 'r1', () => source.store.getState().runs.r1, { onComplete: () => router.push('/done') })
 */
export function useRunCallbacks(
  source: ProgressSource,
  runId: string,
  read: () => RunView | undefined,
  callbacks: RunCallbacks,
): void {
  const latest = useRef(callbacks)
  latest.current = callbacks
  const reader = useRef(read)
  reader.current = read
  const wanted = callbacks.onComplete !== undefined || callbacks.onStatusChange !== undefined
  // biome-ignore lint/correctness/useExhaustiveDependencies: `runId` restarts what was seen; callbacks come from refs.
  useEffect(() => {
    if (!wanted) return
    let seen: { status: RunStatus; epoch: string | null; completed: boolean } | null = null
    const check = () => {
      const run = reader.current()
      if (!run) return
      const epoch = seen?.epoch === run.epoch ? seen : null
      if (seen && run.status !== seen.status) latest.current.onStatusChange?.(run.status, run)
      const completed = run.status === 'completed'
      if (completed && !epoch?.completed) latest.current.onComplete?.(run)
      seen = { status: run.status, epoch: run.epoch, completed: completed || (epoch?.completed ?? false) }
    }
    check()
    return source.store.subscribe(check)
  }, [source, runId, wanted])
}
