import { trueProgress } from '../src/core/progress'
import type { PhasePlanEntry, RunState } from '../src/protocol/types'

/** One run as a naive client sees it: the last message decides. */
export interface NaiveRun {
  /** 0–1, computed from the last message alone. */
  value: number
  /** Times the value went down. */
  backward: number
  messages: number
}

type Message = {
  type?: unknown
  run?: unknown
  phase?: unknown
  done?: unknown
  total?: unknown
  plan?: unknown
  state?: unknown
}

/**
 * What the kit replaces: progress computed from each message alone, in arrival order, with no sequencing,
 * no dedup and no resume. It remembers only the plan (a naive app would too) to turn a phase into a range.
 * @example
 * const naive = createNaiveProgress()
 * naive.feed(frameText) // every frame the socket delivers
 * naive.get('run-1')?.value
 */
export function createNaiveProgress() {
  const runs = new Map<string, NaiveRun>()
  const plans = new Map<string, PhasePlanEntry[]>()
  const listeners = new Set<() => void>()

  // Where a phase's slice of the bar starts and how wide it is.
  function range(runId: string, phaseId: unknown): { start: number; width: number } | null {
    const plan = plans.get(runId)
    if (!plan) return null
    const sum = plan.reduce((total, phase) => total + phase.weight, 0) || 1
    let start = 0
    for (const phase of plan) {
      if (phase.id === phaseId) return { start: start / sum, width: phase.weight / sum }
      start += phase.weight
    }
    return null
  }

  function readMessage(runId: string, message: Message): number | null {
    const fraction = (done: unknown, total: unknown) =>
      typeof done === 'number' && typeof total === 'number' && total > 0 ? Math.min(1, done / total) : 0
    const phase = range(runId, message.phase)
    switch (message.type) {
      case 'run_started':
      case 'plan_updated':
        if (Array.isArray(message.plan)) plans.set(runId, message.plan as PhasePlanEntry[])
        return message.type === 'run_started' ? 0 : null
      case 'queued':
        return 0
      case 'phase_started':
        return phase ? phase.start : null
      // One task's counts taken for the whole phase: exactly the bug of summing nothing.
      case 'phase_progress':
      case 'task_progress':
        return phase ? phase.start + phase.width * fraction(message.done, message.total) : null
      case 'phase_completed':
      case 'phase_skipped':
      case 'phase_failed':
        return phase ? phase.start + phase.width : null
      case 'run_completed':
        return 1
      case 'snapshot': {
        const state = message.state as RunState | undefined
        if (!state || !Array.isArray(state.phases)) return null
        plans.set(runId, state.phases)
        return trueProgress(state)
      }
      default:
        return null
    }
  }

  return {
    /** Takes one frame as the socket delivered it. Anything unreadable is ignored. */
    feed(data: unknown) {
      if (typeof data !== 'string') return
      let message: Message
      try {
        message = JSON.parse(data) as Message
      } catch {
        return
      }
      if (typeof message !== 'object' || message === null || typeof message.run !== 'string') return
      const runId = message.run
      const value = readMessage(runId, message)
      const previous = runs.get(runId) ?? { value: 0, backward: 0, messages: 0 }
      const next = { ...previous, messages: previous.messages + 1 }
      if (value !== null) {
        if (value < previous.value) next.backward++
        next.value = value
      }
      runs.set(runId, next)
      for (const listener of [...listeners]) listener()
    },
    get: (runId: string): NaiveRun | undefined => runs.get(runId),
    subscribe(listener: () => void) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
}

export type NaiveProgress = ReturnType<typeof createNaiveProgress>
