import type { ProgressSource } from './ProgressSource'

// Per source, how many mounted hooks want each run: follow on the first, unfollow after the last.
const counts = new WeakMap<ProgressSource, Map<string, number>>()

/**
 * Takes one reference on `runId` for `source` and returns its release. The unfollow waits a microtask, so a
 * remount in the same tick (StrictMode, a key change) does not drop the run's state and re-subscribe.
 * @example
 * useEffect(() => followRun(source, runId), [source, runId])
 */
export function followRun(source: ProgressSource, runId: string): () => void {
  let runs = counts.get(source)
  if (!runs) {
    runs = new Map()
    counts.set(source, runs)
  }
  // An entry at 0 is an unfollow still waiting for its microtask: the run is still followed.
  const followed = runs.has(runId)
  runs.set(runId, (runs.get(runId) ?? 0) + 1)
  if (!followed) source.follow?.(runId)
  let released = false
  return () => {
    if (released) return
    released = true
    const map = runs
    map.set(runId, (map.get(runId) ?? 1) - 1)
    queueMicrotask(() => {
      if (map.get(runId) !== 0) return
      map.delete(runId)
      source.unfollow?.(runId)
    })
  }
}

/** How many hooks currently hold `runId` on `source` (for tests and devtools). */
export function followCount(source: ProgressSource, runId: string): number {
  return counts.get(source)?.get(runId) ?? 0
}
