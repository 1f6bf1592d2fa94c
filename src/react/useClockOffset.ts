import { useRef } from 'react'
import type { ActivityEntry } from '../protocol/types'

/**
 * Local minus server time, learned from the activity itself: each entry seen for the first time arrived at about
 * `now()`, so `now() − ts` bounds the offset from above; the smallest bound seen wins. Entries that were already
 * there at mount give a loose first bound (elapsed times then start low), tightened by the next new entry.
 * Server and browser clocks need not agree.
 * @example
 * const offset = useClockOffset(run.activity, Date.now)
 * const elapsed = Date.now() - (entry.ts + offset)
 */
export function useClockOffset(activity: readonly ActivityEntry[], now: () => number): number {
  const seen = useRef<{ seq: number; offset: number } | null>(null)
  const newest = activity[activity.length - 1]
  if (newest && newest.seq !== seen.current?.seq) {
    const bound = now() - newest.ts
    seen.current = { seq: newest.seq, offset: Math.min(bound, seen.current?.offset ?? bound) }
  }
  return seen.current?.offset ?? 0
}
