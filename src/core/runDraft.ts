import type {
  ActivityEntry,
  PhaseState,
  RunEvent,
  RunState,
  SequencedFrame,
  TaskState,
} from '../protocol/types'
import type { ReducerLimits, RejectReason } from './applyEvent'
import { mergePlan } from './mergePlan'

export const isTerminal = (status: RunState['status']): boolean =>
  status === 'completed' || status === 'failed' || status === 'cancelled'

export const isPhaseFinished = (status: PhaseState['status']): boolean =>
  status === 'done' || status === 'skipped' || status === 'failed'

/**
 * One run's state, updated in place between two publishes: the one implementation of the phase rules
 * (PROTOCOL rule 6); `applyEvent` is a draft of one event. What `publish()` returned is never written again:
 * the first change after it copies the touched objects (state, phases array, one phase, its tasks, the
 * activity list), later changes in the same batch write to those copies. Every check runs before any write,
 * so a refused event changes nothing; unchanged parts keep their identity.
 */
export interface RunDraft {
  /** Applies one event; returns why it was refused (the state is then unchanged), or undefined. */
  apply(event: SequencedFrame): RejectReason | undefined
  /** The current state, to read at once and not to keep: the next `apply` may change it in place. */
  peek(): RunState
  /** The state as an immutable value (what a flush hands out). Cheap when nothing changed. */
  publish(): RunState
  /** Starts again from `state` (a new epoch, a trimmed snapshot). */
  replace(state: RunState): void
}

type PhaseEvent = Extract<RunEvent, { phase: string }>
// Read only: a phase without tasks costs no allocation per progress event.
const NO_TASKS: readonly TaskState[] = []

function activityEntry(event: RunEvent & { type: ActivityEntry['type'] }): ActivityEntry {
  const entry: ActivityEntry = { seq: event.seq, ts: event.ts, type: event.type }
  if ('agent' in event && event.agent !== undefined) entry.agent = event.agent
  if ('tool' in event) entry.tool = event.tool
  if ('call' in event) entry.call = event.call
  if ('text' in event) entry.text = event.text
  if ('ok' in event && event.ok !== undefined) entry.ok = event.ok
  return entry
}

/**
 * `{ ...open, type: 'tool_completed', endedAt, ok }` built field by field: the spread of an entry (their
 * shapes vary) took more time than all other work on a tool event.
 */
function paired(open: ActivityEntry, endedAt: number, ok: boolean | undefined): ActivityEntry {
  const entry: ActivityEntry = { seq: open.seq, ts: open.ts, type: 'tool_completed' }
  if (open.agent !== undefined) entry.agent = open.agent
  if (open.tool !== undefined) entry.tool = open.tool
  if (open.call !== undefined) entry.call = open.call
  if (open.text !== undefined) entry.text = open.text
  if (ok !== undefined || open.ok !== undefined) entry.ok = ok ?? open.ok
  entry.endedAt = endedAt
  return entry
}

/**
 * @example
 * const draft = createRunDraft(createRunState(), DEFAULT_LIMITS)
 * for (const event of batch) draft.apply(event)
 * render(draft.publish())
 */
export function createRunDraft(initial: RunState, limits: ReducerLimits): RunDraft {
  let state = initial
  // Objects this draft created since the last publish: a flag each, or the batch number per phase index.
  let batch = 1
  let ownState = false
  let ownPhases = false
  let ownActivity = false
  const ownPhase: number[] = []
  const ownTasks: number[] = []
  const activityLimit = Math.max(1, limits.activityLimit)
  // Tool calls in the activity list: call id → absolute position of its last entry (list index + `trimmed`).
  // Scanning 200 entries of mixed shapes for every tool event was the draft's largest cost.
  const calls = new Map<string, number>()
  let indexed: ActivityEntry[] | null = null
  let trimmed = 0

  function release() {
    batch++
    ownState = false
    ownPhases = false
    ownActivity = false
  }

  function writableState(): RunState {
    if (!ownState) {
      state = { ...state }
      ownState = true
    }
    return state
  }

  /** A new run status that ends any wait in the queue: the position goes (a new object, then the draft's). */
  function leaveQueue(status: RunState['status']) {
    const { queuePosition: _, ...rest } = state
    rest.status = status
    state = rest
    ownState = true
  }

  function writablePhase(index: number): PhaseState {
    const s = writableState()
    if (!ownPhases) {
      s.phases = s.phases.slice()
      ownPhases = true
    }
    if (ownPhase[index] === batch) return s.phases[index]!
    ownPhase[index] = batch
    const copy = { ...s.phases[index]! }
    s.phases[index] = copy
    return copy
  }

  function writableTasks(index: number, phase: PhaseState): TaskState[] {
    if (ownTasks[index] !== batch) {
      ownTasks[index] = batch
      phase.tasks = phase.tasks?.slice() ?? []
    }
    return phase.tasks!
  }

  function writableActivity(): ActivityEntry[] {
    const s = writableState()
    if (!ownActivity) {
      const copy = s.activity.slice()
      if (indexed === s.activity) indexed = copy
      s.activity = copy
      ownActivity = true
    }
    return s.activity
  }

  /** Position in the activity list of the last entry of `call`, or -1. */
  function findCall(call: string): number {
    const activity = state.activity
    if (indexed !== activity) {
      calls.clear()
      trimmed = 0
      for (let i = 0; i < activity.length; i++) {
        const id = activity[i]!.call
        if (id !== undefined) calls.set(id, i)
      }
      indexed = activity
    }
    const at = calls.get(call)
    return at === undefined || at < trimmed ? -1 : at - trimmed
  }

  /** Appends an entry (the call index is current: `findCall` ran for every tool event) and trims the oldest. */
  function push(entry: ActivityEntry) {
    const activity = writableActivity()
    const known = indexed === activity
    if (known && entry.call !== undefined) calls.set(entry.call, trimmed + activity.length)
    activity.push(entry)
    const excess = activity.length - activityLimit
    if (excess <= 0) return
    if (known) {
      for (let i = 0; i < excess; i++) {
        const id = activity[i]!.call
        if (id !== undefined && calls.get(id) === trimmed + i) calls.delete(id)
      }
      trimmed += excess
    }
    // shift() trims one entry in place (the usual case); splice would also build an array of what it removed.
    if (excess === 1) activity.shift()
    else activity.splice(0, excess)
  }

  function applyPhaseEvent(event: PhaseEvent): RejectReason | undefined {
    // The first match (a snapshot's phase list does not promise unique ids).
    const phases = state.phases
    let index = 0
    while (index < phases.length && phases[index]!.id !== event.phase) index++
    const phase = phases[index]
    if (!phase) return 'unknown_phase'
    if (isPhaseFinished(phase.status)) return 'phase_finished'
    const tasks = phase.tasks ?? NO_TASKS
    let at = -1
    switch (event.type) {
      case 'phase_progress':
        if (tasks.length > 0) return 'mixed_progress_style'
        if (phase.done !== undefined && event.done < phase.done) return 'done_decreased'
        break
      case 'task_progress':
        if (tasks.length === 0 && phase.done !== undefined) return 'mixed_progress_style'
        at = 0
        while (at < tasks.length && tasks[at]!.id !== event.task) at++
        if (at === tasks.length) at = -1
        if (at >= 0 && event.done < tasks[at]!.done) return 'done_decreased'
        if (at < 0 && tasks.length >= limits.taskLimit) return 'too_many_tasks'
        break
      case 'phase_started':
        if (phase.status === 'active') return 'phase_already_active'
        break
      default: {
        const next = writablePhase(index)
        const status =
          event.type === 'phase_completed' ? 'done' : event.type === 'phase_skipped' ? 'skipped' : 'failed'
        next.status = status
        next.endedAt = event.ts
        if (next.startedAt === undefined && status !== 'skipped') next.startedAt = event.ts
        if (event.type === 'phase_failed') next.error = event.error
        return
      }
    }
    // Started, or progress on it: the phase is active now, and the first active phase ends the wait in the queue.
    const next = writablePhase(index)
    if (next.status === 'pending') {
      next.status = 'active'
      next.startedAt = event.ts
    }
    if (state.status === 'pending' || state.status === 'queued') leaveQueue('running')
    if (event.type === 'phase_started') return
    if (event.type === 'phase_progress') {
      next.done = event.done
      next.total = event.total
    } else {
      const own = writableTasks(index, next)
      const task: TaskState = { id: event.task, done: event.done, total: event.total }
      if (event.label !== undefined) task.label = event.label
      if (at >= 0) own[at] = task
      else own.push(task)
      let done = 0
      let total = 0
      for (let i = 0; i < own.length; i++) {
        done += own[i]!.done
        total += own[i]!.total
      }
      next.done = done
      next.total = total
    }
    if (event.label !== undefined) next.detail = event.label
  }

  function apply(event: SequencedFrame): RejectReason | undefined {
    if (event.type === 'snapshot') {
      state = event.state
      release()
      return
    }
    if (isTerminal(state.status)) return 'run_terminal'
    switch (event.type) {
      case 'phase_progress':
      case 'task_progress':
      case 'phase_started':
      case 'phase_completed':
      case 'phase_skipped':
      case 'phase_failed':
        return applyPhaseEvent(event)
      case 'agent_started':
      case 'agent_completed':
      case 'agent_thinking':
        push(activityEntry(event))
        return
      case 'tool_executing':
        if (findCall(event.call) >= 0) return 'duplicate_call'
        push(activityEntry(event))
        return
      case 'tool_completed': {
        const at = findCall(event.call)
        if (at < 0) push(activityEntry(event))
        else if (state.activity[at]!.type === 'tool_completed') return 'duplicate_call'
        // Pair in place: the entry keeps its start time and gains an end.
        else writableActivity()[at] = paired(state.activity[at]!, event.ts, event.ok)
        return
      }
      case 'run_started':
      case 'plan_updated': {
        const { status } = state
        if (event.type === 'run_started') {
          if (state.phases.length > 0 && status !== 'pending' && status !== 'queued') return 'already_started'
          writableState().status = status === 'queued' ? 'queued' : 'running'
        }
        const s = writableState()
        s.phases = mergePlan(s.phases, event.plan)
        // A new phases array: indices moved, so every phase is copied again before its next write.
        ownPhases = true
        batch++
        if (event.type === 'run_started' && event.title !== undefined) s.title = event.title
        return
      }
      case 'queued': {
        if (state.phases.some((p) => p.status !== 'pending')) return 'already_running'
        const s = writableState()
        s.status = 'queued'
        s.queuePosition = event.position
        return
      }
      default:
        leaveQueue(
          event.type === 'run_completed' ? 'completed' : event.type === 'run_failed' ? 'failed' : 'cancelled',
        )
        if (event.error !== undefined) state.error = event.error
    }
  }

  return {
    apply,
    peek: () => state,
    publish() {
      release()
      return state
    },
    replace(next) {
      state = next
      release()
    },
  }
}
