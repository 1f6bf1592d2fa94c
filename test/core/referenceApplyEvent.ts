// The pure reducer as it was before the phase rules moved into runDraft (commit c9c2933), kept verbatim as a test
// oracle: the one implementation must keep giving its results, rejections and identities. Plan merging was not
// rewritten (it moved to src/core/mergePlan.ts, tested on its own in applyEvent.test.ts), so both use that one.

import {
  type ApplyResult,
  DEFAULT_LIMITS,
  type ReducerLimits,
  type RejectReason,
} from '../../src/core/applyEvent'
import { mergePlan } from '../../src/core/mergePlan'
import type {
  ActivityEntry,
  PhaseState,
  RunEvent,
  RunState,
  SequencedFrame,
  TaskState,
} from '../../src/protocol/types'

const isTerminal = (status: RunState['status']): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled'

const isPhaseFinished = (status: PhaseState['status']): boolean =>
  status === 'done' || status === 'skipped' || status === 'failed'

const reject = (state: RunState, rejected: RejectReason): ApplyResult => ({ state, rejected })

function withPhase(state: RunState, index: number, phase: PhaseState): RunState {
  const phases = state.phases.slice()
  phases[index] = phase
  // The first active phase ends the wait in the queue.
  if (phase.status === 'active' && (state.status === 'pending' || state.status === 'queued')) {
    const { queuePosition: _, ...rest } = state
    return { ...rest, status: 'running', phases }
  }
  return { ...state, phases }
}

function startIfPending(phase: PhaseState, ts: number): PhaseState {
  return phase.status === 'pending' ? { ...phase, status: 'active', startedAt: ts } : phase
}

function pushActivity(state: RunState, entry: ActivityEntry, limit: number): RunState {
  const activity =
    state.activity.length >= limit
      ? state.activity.slice(state.activity.length - limit + 1)
      : state.activity.slice()
  activity.push(entry)
  return { ...state, activity }
}

/** The activity entry an agent or tool event adds (shared with `runDraft`). */
function activityEntry(event: RunEvent & { type: ActivityEntry['type'] }): ActivityEntry {
  const entry: ActivityEntry = { seq: event.seq, ts: event.ts, type: event.type }
  if ('agent' in event && event.agent !== undefined) entry.agent = event.agent
  if ('tool' in event) entry.tool = event.tool
  if ('call' in event) entry.call = event.call
  if ('text' in event) entry.text = event.text
  if ('ok' in event && event.ok !== undefined) entry.ok = event.ok
  return entry
}

function applyTaskProgress(
  state: RunState,
  index: number,
  phase: PhaseState,
  event: Extract<RunEvent, { type: 'task_progress' }>,
  limits: ReducerLimits,
): ApplyResult {
  const tasks = phase.tasks ?? []
  if (tasks.length === 0 && phase.done !== undefined) return reject(state, 'mixed_progress_style')
  const at = tasks.findIndex((t) => t.id === event.task)
  const old = at >= 0 ? tasks[at] : undefined
  if (old && event.done < old.done) return reject(state, 'done_decreased')
  if (!old && tasks.length >= limits.taskLimit) return reject(state, 'too_many_tasks')
  const task: TaskState = { id: event.task, done: event.done, total: event.total }
  if (event.label !== undefined) task.label = event.label
  const nextTasks = tasks.slice()
  if (at >= 0) nextTasks[at] = task
  else nextTasks.push(task)
  let done = 0
  let total = 0
  for (const t of nextTasks) {
    done += t.done
    total += t.total
  }
  const next: PhaseState = { ...startIfPending(phase, event.ts), tasks: nextTasks, done, total }
  if (event.label !== undefined) next.detail = event.label
  return { state: withPhase(state, index, next) }
}

function applyPhaseEvent(
  state: RunState,
  event: Extract<RunEvent, { phase: string }>,
  limits: ReducerLimits,
): ApplyResult {
  const index = state.phases.findIndex((p) => p.id === event.phase)
  if (index < 0) return reject(state, 'unknown_phase')
  const phase = state.phases[index]!
  if (isPhaseFinished(phase.status)) return reject(state, 'phase_finished')
  switch (event.type) {
    case 'phase_started':
      if (phase.status === 'active') return reject(state, 'phase_already_active')
      return { state: withPhase(state, index, startIfPending(phase, event.ts)) }
    case 'phase_progress': {
      if (phase.tasks && phase.tasks.length > 0) return reject(state, 'mixed_progress_style')
      if (phase.done !== undefined && event.done < phase.done) return reject(state, 'done_decreased')
      const next: PhaseState = { ...startIfPending(phase, event.ts), done: event.done, total: event.total }
      if (event.label !== undefined) next.detail = event.label
      return { state: withPhase(state, index, next) }
    }
    case 'task_progress':
      return applyTaskProgress(state, index, phase, event, limits)
    case 'phase_completed':
    case 'phase_skipped':
    case 'phase_failed': {
      const status =
        event.type === 'phase_completed' ? 'done' : event.type === 'phase_skipped' ? 'skipped' : 'failed'
      const next: PhaseState = { ...phase, status, endedAt: event.ts }
      if (next.startedAt === undefined && status !== 'skipped') next.startedAt = event.ts
      if (event.type === 'phase_failed') next.error = event.error
      return { state: withPhase(state, index, next) }
    }
  }
}

/**
 * The run reducer: applies one sequenced event to a run state and returns the next state, or the same
 * state with the reason it was rejected. Pure and isomorphic: the hub builds snapshots with it too.
 * Unchanged parts keep their identity, so selectors on them do not re-render.
 * @example
 * let state = createRunState()
 * for (const event of events) ({ state } = applyEvent(state, event))
 */
export function referenceApplyEvent(
  state: RunState,
  event: SequencedFrame,
  limits: ReducerLimits = DEFAULT_LIMITS,
): ApplyResult {
  if (event.type === 'snapshot') return { state: event.state }
  if (isTerminal(state.status)) return reject(state, 'run_terminal')
  switch (event.type) {
    case 'run_started': {
      if (state.phases.length > 0 && state.status !== 'pending' && state.status !== 'queued') {
        return reject(state, 'already_started')
      }
      const next: RunState = { ...state, status: state.status === 'queued' ? 'queued' : 'running' }
      next.phases = mergePlan(state.phases, event.plan)
      if (event.title !== undefined) next.title = event.title
      return { state: next }
    }
    case 'plan_updated':
      return { state: { ...state, phases: mergePlan(state.phases, event.plan) } }
    case 'queued': {
      if (state.phases.some((p) => p.status !== 'pending')) return reject(state, 'already_running')
      return { state: { ...state, status: 'queued', queuePosition: event.position } }
    }
    case 'phase_started':
    case 'phase_progress':
    case 'task_progress':
    case 'phase_completed':
    case 'phase_skipped':
    case 'phase_failed':
      return applyPhaseEvent(state, event, limits)
    case 'tool_completed': {
      const at = state.activity.findLastIndex((a) => a.call === event.call)
      const open = at >= 0 ? state.activity[at]! : undefined
      if (open && open.type === 'tool_completed') return reject(state, 'duplicate_call')
      if (!open) return { state: pushActivity(state, activityEntry(event), limits.activityLimit) }
      // Pair in place: the entry keeps its start time and gains an end.
      const paired: ActivityEntry = { ...open, type: 'tool_completed', endedAt: event.ts }
      if (event.ok !== undefined) paired.ok = event.ok
      const activity = state.activity.slice()
      activity[at] = paired
      return { state: { ...state, activity } }
    }
    case 'tool_executing':
      if (state.activity.some((a) => a.call === event.call)) return reject(state, 'duplicate_call')
      return { state: pushActivity(state, activityEntry(event), limits.activityLimit) }
    case 'agent_started':
    case 'agent_completed':
    case 'agent_thinking':
      return { state: pushActivity(state, activityEntry(event), limits.activityLimit) }
    case 'run_completed':
    case 'run_failed':
    case 'run_cancelled': {
      const status =
        event.type === 'run_completed' ? 'completed' : event.type === 'run_failed' ? 'failed' : 'cancelled'
      const { queuePosition: _, ...rest } = state
      const next: RunState = { ...rest, status }
      if (event.error !== undefined) next.error = event.error
      return { state: next }
    }
  }
}
