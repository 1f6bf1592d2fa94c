import { isPhaseFinished, type RejectReason } from '../../core/applyEvent'
import type { RunState, SequencedFrame } from '../../protocol/types'

/**
 * The extra phase rule of unsequenced mode: a pending phase may not become current once a phase LATER in the
 * plan has finished. With trustworthy seqs that can be a legitimate parallel plan; by arrival order it is
 * almost always a stale message overtaken by a newer one, and applying it would move the "current" step back.
 * Returns the reason to reject, or null.
 */
export function planOrderViolation(state: RunState, event: SequencedFrame): RejectReason | null {
  if (event.type !== 'phase_started' && event.type !== 'phase_progress' && event.type !== 'task_progress') {
    return null
  }
  const index = state.phases.findIndex((phase) => phase.id === event.phase)
  if (index < 0 || state.phases[index]!.status !== 'pending') return null
  for (let later = index + 1; later < state.phases.length; later++) {
    if (isPhaseFinished(state.phases[later]!.status)) return 'phase_out_of_order'
  }
  return null
}
