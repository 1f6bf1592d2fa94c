import type { PhasePlanEntry, PhaseState } from '../protocol/types'

/**
 * The phases after a (re)declared plan: existing ids keep their status and counts, and unchanged phases keep
 * their identity (selectors on them do not re-render); started phases the new plan omits are kept, not forgotten.
 */
export function mergePlan(phases: readonly PhaseState[], plan: readonly PhasePlanEntry[]): PhaseState[] {
  const byId = new Map(phases.map((p) => [p.id, p]))
  const merged = plan.map((entry): PhaseState => {
    const old = byId.get(entry.id)
    if (
      old &&
      old.label === entry.label &&
      old.weight === entry.weight &&
      (entry.expectedMs === undefined || entry.expectedMs === old.expectedMs)
    ) {
      return old
    }
    const next: PhaseState = {
      ...(old ?? { id: entry.id, status: 'pending' as const }),
      label: entry.label,
      weight: entry.weight,
    }
    if (entry.expectedMs !== undefined) next.expectedMs = entry.expectedMs
    return next
  })
  // An omitted phase that already started goes right after the phase that preceded it before (or first):
  // appended after new pending phases it moved an active phase's end, and so the cap of its estimate, to ~100%.
  const planned = new Set(plan.map((p) => p.id))
  let anchor = -1
  for (const phase of phases) {
    if (planned.has(phase.id)) anchor = merged.findIndex((p) => p.id === phase.id)
    else if (phase.status !== 'pending') merged.splice(++anchor, 0, phase)
  }
  return merged
}
