import { useEffect, useState } from 'react'

/**
 * Re-renders every `intervalMs` while `active` and returns `now()`; idle components never tick.
 * @example
 * const t = useTicker(hasRunningCalls, 1000, Date.now)
 */
export function useTicker(active: boolean, intervalMs: number, now: () => number): number {
  const [, setTick] = useState(0)
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => setTick((tick) => tick + 1), intervalMs)
    return () => clearInterval(timer)
  }, [active, intervalMs])
  return now()
}
