import type { RunState, SequencedFrame } from '../protocol/types'
import { createRunDraft } from './runDraft'

export { isPhaseFinished, isTerminal } from './runDraft'

/** Why the reducer refused an event (PROTOCOL rule 6). The state is unchanged when one is returned. */
export type RejectReason =
  | 'run_terminal'
  | 'already_started'
  | 'unknown_phase'
  | 'phase_finished'
  | 'phase_already_active'
  | 'done_decreased'
  | 'mixed_progress_style'
  | 'too_many_tasks'
  | 'duplicate_call'
  // An agent id started again while it runs.
  | 'duplicate_agent'
  // An agent_completed or tool_completed for an agent or call that is not open: ended already, or never started.
  | 'unmatched_end'
  // A new agent or call while as many are open as the activity list holds (open entries are never evicted).
  | 'too_many_open'
  // Unsequenced sources only (client/adapters/planOrder.ts): an earlier phase started after a later one ended.
  | 'phase_out_of_order'

export interface ApplyResult {
  state: RunState
  rejected?: RejectReason
}

export interface ReducerLimits {
  /**
   * Newest-last activity entries kept per run. Eviction takes the oldest non-critical entry first (open agents and
   * calls, and failures, stay longest; open ones are never evicted), so it also bounds the open agents and calls.
   */
  activityLimit: number
  /** Distinct tasks kept per phase (task_progress). */
  taskLimit: number
}

export const DEFAULT_LIMITS: ReducerLimits = { activityLimit: 200, taskLimit: 256 }

/** A run nobody has heard of yet: what a client shows before the first event. */
export function createRunState(): RunState {
  return { status: 'pending', phases: [], activity: [] }
}

/**
 * The run reducer: applies one sequenced event to a run state and returns the next state, or the same
 * state with the reason it was rejected. Pure and isomorphic: the hub builds snapshots with it too.
 * The rules live in `runDraft` (a draft of this one event copies what it touches), so the client's batched
 * draft and this reducer cannot disagree. Unchanged parts keep their identity, so selectors do not re-render.
 * @example
 * let state = createRunState()
 * for (const event of events) ({ state } = applyEvent(state, event))
 */
export function applyEvent(
  state: RunState,
  event: SequencedFrame,
  limits: ReducerLimits = DEFAULT_LIMITS,
): ApplyResult {
  const draft = createRunDraft(state, limits)
  const rejected = draft.apply(event)
  return rejected ? { state, rejected } : { state: draft.peek() }
}
