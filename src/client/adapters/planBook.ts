import type { PhasePlanEntry } from '../../protocol/types'
import { type AdaptedEvent, events } from './defineAdapter'

/** A phase of an adapter's plan option: only `id` is required (label defaults to the id, weight to 1). */
export interface AdapterPhase {
  id: string
  label?: string
  weight?: number
  expectedMs?: number
}

const entry = (phase: AdapterPhase): PhasePlanEntry => {
  const out: PhasePlanEntry = { id: phase.id, label: phase.label ?? phase.id, weight: phase.weight ?? 1 }
  if (phase.expectedMs !== undefined) out.expectedMs = phase.expectedMs
  return out
}

/**
 * One run's plan as an adapter knows it: the option's plan, then phases as they are first seen. Declares it
 * with `run_started` the first time and `plan_updated` whenever a phase is added.
 */
export function createPlanBook(run: string, initial: readonly AdapterPhase[] | undefined, title?: string) {
  const plan: PhasePlanEntry[] = (initial ?? []).map(entry)
  const ids = new Set(plan.map((p) => p.id))
  let declared = false
  return {
    has: (id: string) => ids.has(id),
    /** Events that declare `seen` phases not yet in the plan (and the plan itself the first time). */
    ensure(seen: readonly string[]): AdaptedEvent[] {
      let added = false
      for (const id of seen) {
        if (ids.has(id)) continue
        ids.add(id)
        plan.push(entry({ id }))
        added = true
      }
      if (plan.length === 0) return []
      if (!declared) {
        declared = true
        return [events.runStarted(run, plan.slice(), title)]
      }
      return added ? [events.planUpdated(run, plan.slice())] : []
    },
  }
}
