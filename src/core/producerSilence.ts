import type { RunState } from '../protocol/types'
import { isEstimatedPhase } from './progress'

export const SILENCE_DEFAULTS = { stallAfterMs: 30_000 } as const

/**
 * How long a run may go without an event before its producer counts as silent (the view's `producer_silent`), or
 * null while silence is expected (the run is not running). An active phase that reports counts allows
 * `stallAfterMs`; one without counts the larger of that and twice its `expectedMs` (an agent may think quietly);
 * concurrent phases: the shortest, since any of them would have spoken by then.
 * @example
 * const limit = stallThreshold(state, 30_000)
 * const silent = limit !== null && now - lastEventAt >= limit
 */
export function stallThreshold(
  state: RunState,
  stallAfterMs: number = SILENCE_DEFAULTS.stallAfterMs,
): number | null {
  if (state.status !== 'running') return null
  let limit = Number.POSITIVE_INFINITY
  for (const phase of state.phases) {
    if (phase.status !== 'active') continue
    const own = isEstimatedPhase(phase) ? Math.max(stallAfterMs, 2 * (phase.expectedMs ?? 0)) : stallAfterMs
    if (own < limit) limit = own
  }
  return limit === Number.POSITIVE_INFINITY ? stallAfterMs : limit
}
