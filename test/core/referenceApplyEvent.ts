// The pure reducer as it was before the phase rules moved into runDraft (commit c9c2933), kept as a test oracle: the
// one implementation must keep giving its results, rejections and identities. Plan merging was not rewritten (it
// moved to src/core/mergePlan.ts, tested on its own in applyEvent.test.ts), so both use that one.
// Extended on purpose, in its own plain style and without runDraft's helpers, with the rules of PROTOCOL v1.1
// (issue 12): terminal events close what is open (decision 3), snapshots are adopted as the draft keeps a run
// (decision 4), critical entries outlive chatter and ends must match a start (decision 5), task counts (decision 8),
// the queue at any time (decision 9), and agent counts.

import {
  type ApplyResult,
  DEFAULT_LIMITS,
  type ReducerLimits,
  type RejectReason,
} from '../../src/core/applyEvent'
import { mergePlan } from '../../src/core/mergePlan'
import type {
  ActivityEntry,
  AgentCounts,
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

/** The state under a new status, without any wait in the queue. */
function unqueued(state: RunState, status: RunState['status']): RunState {
  const { queuePosition: _, queueEtaMs: __, ...rest } = state
  return { ...rest, status }
}

function withPhase(state: RunState, index: number, phase: PhaseState): RunState {
  const phases = state.phases.slice()
  phases[index] = phase
  // Any phase event ends the wait in the queue (v1.1 decision 9).
  if (state.status === 'pending' || state.status === 'queued')
    return { ...unqueued(state, 'running'), phases }
  return { ...state, phases }
}

function startIfPending(phase: PhaseState, ts: number): PhaseState {
  return phase.status === 'pending' ? { ...phase, status: 'active', startedAt: ts } : phase
}

const isOpen = (a: ActivityEntry) =>
  (a.type === 'agent_started' || a.type === 'tool_executing') && a.endedAt === undefined
const isCritical = (a: ActivityEntry) => a.ok === false || isOpen(a)
const ZERO: AgentCounts = { active: 0, completed: 0, failed: 0 }

/** Index of the entry eviction takes: the oldest non-critical, else the oldest closed, else none (-1). */
function evictable(activity: readonly ActivityEntry[]): number {
  const at = activity.findIndex((a) => !isCritical(a))
  return at >= 0 ? at : activity.findIndex((a) => !isOpen(a))
}

function pushActivity(state: RunState, entry: ActivityEntry, limit: number): RunState {
  const activity = [...state.activity, entry]
  while (activity.length > limit) {
    const at = evictable(activity)
    if (at < 0) break
    activity.splice(at, 1)
  }
  return { ...state, activity }
}

function replaceEntry(state: RunState, at: number, entry: ActivityEntry): RunState {
  const activity = state.activity.slice()
  activity[at] = entry
  return { ...state, activity }
}

/** The last open agent_started entry of an agent, or -1. */
const openAgent = (state: RunState, agent: string) =>
  state.activity.findLastIndex((a) => a.type === 'agent_started' && a.agent === agent && isOpen(a))

/** The end of a run: active phases end as it did, open agents and calls are interrupted. */
function closeOpen(state: RunState, ts: number): RunState {
  const ended = { completed: 'done', failed: 'failed', cancelled: 'skipped' } as const
  const status = ended[state.status as keyof typeof ended]
  let next = state
  if (state.phases.some((p) => p.status === 'active')) {
    const phases = state.phases.map((p) =>
      p.status === 'active' ? { ...p, status, endedAt: ts, interrupted: true } : p,
    )
    next = { ...next, phases }
  }
  if (state.activity.some(isOpen)) {
    const activity = state.activity.map((a) =>
      isOpen(a) ? { ...a, ok: false, endedAt: ts, interrupted: true } : a,
    )
    next = { ...next, activity }
  }
  const agents = state.agents ?? ZERO
  if (agents.active > 0) {
    next = { ...next, agents: { ...agents, active: 0, failed: agents.failed + agents.active } }
  }
  return next
}

/** A snapshot as a client keeps it: within its activity limit, with agent counts, nothing open under an ended run. */
function adopt(snapshot: RunState, ts: number, limits: ReducerLimits): RunState {
  let state = snapshot
  const limit = Math.max(1, limits.activityLimit)
  if (state.activity.length > limit) {
    let activity = state.activity.slice()
    while (activity.length > limit) {
      const at = evictable(activity)
      if (at < 0) break
      activity = activity.filter((_, i) => i !== at)
    }
    state = { ...state, activity }
  }
  if (state.agents === undefined) {
    const agents = { ...ZERO }
    for (const a of state.activity) {
      if (a.type === 'agent_completed') {
        if (a.ok === false) agents.failed++
        else agents.completed++
      } else if (a.type === 'agent_started') {
        if (isOpen(a)) agents.active++
        else if (a.interrupted) agents.failed++
      }
    }
    if (agents.active + agents.completed + agents.failed > 0) state = { ...state, agents }
  }
  return isTerminal(state.status) ? closeOpen(state, ts) : state
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
    case 'phase_started': {
      if (phase.status === 'active') return reject(state, 'phase_already_active')
      const started = startIfPending(phase, event.ts)
      return {
        state: withPhase(
          state,
          index,
          event.tasks === undefined ? started : { ...started, taskCount: event.tasks },
        ),
      }
    }
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
  if (event.type === 'snapshot') return { state: adopt(event.state, event.ts, limits) }
  if (isTerminal(state.status)) return reject(state, 'run_terminal')
  const limit = Math.max(1, limits.activityLimit)
  switch (event.type) {
    case 'run_started': {
      if (
        state.phases.some((p) => p.status !== 'pending') ||
        (state.phases.length > 0 && state.status === 'running')
      ) {
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
      const next: RunState = { ...unqueued(state, 'queued'), queuePosition: event.position }
      if (event.etaMs !== undefined) next.queueEtaMs = event.etaMs
      return { state: next }
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
      if (!open || !isOpen(open)) return reject(state, 'unmatched_end')
      // Pair in place: the entry keeps its start time and gains an end.
      const paired: ActivityEntry = { ...open, type: 'tool_completed', endedAt: event.ts }
      if (event.ok !== undefined) paired.ok = event.ok
      return { state: replaceEntry(state, at, paired) }
    }
    case 'tool_executing':
      if (state.activity.some((a) => a.call === event.call)) return reject(state, 'duplicate_call')
      if (state.activity.filter(isOpen).length >= limit) return reject(state, 'too_many_open')
      return { state: pushActivity(state, activityEntry(event), limit) }
    case 'agent_started': {
      if (openAgent(state, event.agent) >= 0) return reject(state, 'duplicate_agent')
      if (state.activity.filter(isOpen).length >= limit) return reject(state, 'too_many_open')
      const { active, completed, failed } = state.agents ?? ZERO
      const next = pushActivity(state, activityEntry(event), limit)
      return { state: { ...next, agents: { active: active + 1, completed, failed } } }
    }
    case 'agent_completed': {
      const at = openAgent(state, event.agent)
      if (at < 0) return reject(state, 'unmatched_end')
      const closed = replaceEntry(state, at, { ...state.activity[at]!, endedAt: event.ts })
      const next = pushActivity(closed, activityEntry(event), limit)
      const { active, completed, failed } = state.agents ?? ZERO
      const ok = event.ok !== false
      const agents = {
        active: Math.max(0, active - 1),
        completed: completed + (ok ? 1 : 0),
        failed: failed + (ok ? 0 : 1),
      }
      return { state: { ...next, agents } }
    }
    case 'agent_thinking':
      return { state: pushActivity(state, activityEntry(event), limit) }
    case 'run_completed':
    case 'run_failed':
    case 'run_cancelled': {
      const status =
        event.type === 'run_completed' ? 'completed' : event.type === 'run_failed' ? 'failed' : 'cancelled'
      const next: RunState = unqueued(state, status)
      if (event.error !== undefined) next.error = event.error
      return { state: closeOpen(next, event.ts) }
    }
  }
}
