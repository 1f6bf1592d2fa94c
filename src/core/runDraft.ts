import type { ActivityEntry, PhaseState, RunState, SequencedFrame, TaskState } from '../protocol/types'
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

type EntrySource = Partial<Omit<ActivityEntry, 'type'>> & { seq: number; ts: number }

/**
 * An activity entry, built field by field: the spread of an entry (their shapes vary) took more time than all
 * other work on a tool event. From an event, or from an open call that `tool_completed` ends.
 */
function activityEntry(
  from: EntrySource,
  type: ActivityEntry['type'],
  ok = from.ok,
  endedAt?: number,
): ActivityEntry {
  const entry: ActivityEntry = { seq: from.seq, ts: from.ts, type }
  if (from.agent !== undefined) entry.agent = from.agent
  if (from.tool !== undefined) entry.tool = from.tool
  if (from.call !== undefined) entry.call = from.call
  if (from.text !== undefined) entry.text = from.text
  if (ok !== undefined) entry.ok = ok
  if (endedAt !== undefined) entry.endedAt = endedAt
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
  // What was last published (or handed in): an object is the draft's own, to write in place, when it is not
  // the one `base` holds at the same place. A new plan rebases the phases: their indices moved.
  let base = initial
  let basePhases = initial.phases
  const activityLimit = Math.max(1, limits.activityLimit)
  // Tool calls in `indexed` (the activity list): call id → its last entry. Scanning 200 entries of mixed shapes
  // for every tool event was the draft's largest cost.
  const calls = new Map<string, ActivityEntry>()
  let indexed: ActivityEntry[] | null = null

  function rebase(next: RunState) {
    state = base = next
    basePhases = next.phases
  }

  function writableState(): RunState {
    if (state === base) state = { ...state }
    return state
  }

  /** A new run status that ends any wait in the queue: the position goes (a new object, then the draft's). */
  function leaveQueue(status: RunState['status']) {
    const { queuePosition: _, ...rest } = state
    rest.status = status
    state = rest
  }

  function writablePhase(index: number): PhaseState {
    const s = writableState()
    if (s.phases === basePhases) s.phases = s.phases.slice()
    const phase = s.phases[index]!
    if (phase !== basePhases[index]) return phase
    const copy = { ...phase }
    s.phases[index] = copy
    return copy
  }

  function writableActivity(): ActivityEntry[] {
    const s = writableState()
    if (s.activity === base.activity) {
      const copy = s.activity.slice()
      if (indexed === s.activity) indexed = copy
      s.activity = copy
    }
    return s.activity
  }

  /** The last entry of `call` in the activity list, if any. */
  function findCall(call: string): ActivityEntry | undefined {
    if (indexed !== state.activity) {
      indexed = state.activity
      calls.clear()
      for (const entry of indexed) if (entry.call !== undefined) calls.set(entry.call, entry)
    }
    return calls.get(call)
  }

  function writableTasks(index: number, phase: PhaseState): TaskState[] {
    // `phase` is the draft's copy of basePhases[index]: its tasks are its own once they are not the original's.
    if (phase.tasks === basePhases[index]!.tasks) phase.tasks = phase.tasks?.slice() ?? []
    return phase.tasks!
  }

  /** Appends an entry (the call index is current: `findCall` ran for every tool event) and trims the oldest. */
  function push(entry: ActivityEntry) {
    const activity = writableActivity()
    const known = indexed === activity
    if (known && entry.call !== undefined) calls.set(entry.call, entry)
    activity.push(entry)
    const excess = activity.length - activityLimit
    if (excess <= 0) return
    for (let i = 0; known && i < excess; i++) {
      const { call } = activity[i]!
      if (call !== undefined && calls.get(call) === activity[i]) calls.delete(call)
    }
    // shift() trims one entry in place (the usual case); splice would also build an array of what it removed.
    if (excess === 1) activity.shift()
    else activity.splice(0, excess)
  }

  /** Index of an open phase (the first match: a snapshot's list does not promise unique ids), or why not. */
  function openPhase(id: string): number | RejectReason {
    const list = state.phases
    let index = 0
    while (index < list.length && list[index]!.id !== id) index++
    if (index === list.length) return 'unknown_phase'
    return isPhaseFinished(list[index]!.status) ? 'phase_finished' : index
  }

  /** The phase, writable and active from `ts` on; the first active phase ends the run's wait in the queue. */
  function activate(index: number, ts: number): PhaseState {
    const next = writablePhase(index)
    if (next.status === 'pending') {
      next.status = 'active'
      next.startedAt = ts
    }
    if (state.status === 'pending' || state.status === 'queued') leaveQueue('running')
    return next
  }

  function apply(event: SequencedFrame): RejectReason | undefined {
    if (event.type === 'snapshot') {
      rebase(event.state)
      return
    }
    if (isTerminal(state.status)) return 'run_terminal'
    switch (event.type) {
      case 'phase_progress': {
        const index = openPhase(event.phase)
        if (typeof index === 'string') return index
        const { tasks, done } = state.phases[index]!
        if (tasks !== undefined && tasks.length > 0) return 'mixed_progress_style'
        if (done !== undefined && event.done < done) return 'done_decreased'
        const next = activate(index, event.ts)
        next.done = event.done
        next.total = event.total
        if (event.label !== undefined) next.detail = event.label
        return
      }
      case 'task_progress': {
        const index = openPhase(event.phase)
        if (typeof index === 'string') return index
        const { tasks = [], done } = state.phases[index]!
        if (tasks.length === 0 && done !== undefined) return 'mixed_progress_style'
        let at = 0
        while (at < tasks.length && tasks[at]!.id !== event.task) at++
        if (at < tasks.length ? event.done < tasks[at]!.done : at >= limits.taskLimit) {
          return at < tasks.length ? 'done_decreased' : 'too_many_tasks'
        }
        const next = activate(index, event.ts)
        const own = writableTasks(index, next)
        const task: TaskState = { id: event.task, done: event.done, total: event.total }
        if (event.label !== undefined) task.label = event.label
        own[at] = task
        let sum = 0
        let total = 0
        for (let i = 0; i < own.length; i++) {
          sum += own[i]!.done
          total += own[i]!.total
        }
        next.done = sum
        next.total = total
        if (event.label !== undefined) next.detail = event.label
        return
      }
      case 'phase_started': {
        const index = openPhase(event.phase)
        if (typeof index === 'string') return index
        if (state.phases[index]!.status === 'active') return 'phase_already_active'
        activate(index, event.ts)
        return
      }
      case 'phase_completed':
      case 'phase_skipped':
      case 'phase_failed': {
        const index = openPhase(event.phase)
        if (typeof index === 'string') return index
        const next = writablePhase(index)
        const status =
          event.type === 'phase_completed' ? 'done' : event.type === 'phase_skipped' ? 'skipped' : 'failed'
        next.status = status
        next.endedAt = event.ts
        if (next.startedAt === undefined && status !== 'skipped') next.startedAt = event.ts
        if (event.type === 'phase_failed') next.error = event.error
        return
      }
      case 'agent_started':
      case 'agent_completed':
      case 'agent_thinking':
        push(activityEntry(event, event.type))
        return
      case 'tool_executing':
        if (findCall(event.call)) return 'duplicate_call'
        push(activityEntry(event, event.type))
        return
      case 'tool_completed': {
        const open = findCall(event.call)
        if (!open) push(activityEntry(event, event.type))
        else if (open.type === 'tool_completed') return 'duplicate_call'
        else {
          // Pair in place: the entry keeps its start time and gains an end.
          const paired = activityEntry(open, event.type, event.ok ?? open.ok, event.ts)
          const activity = writableActivity()
          activity[activity.lastIndexOf(open)] = paired
          calls.set(event.call, paired)
        }
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
        // Indices moved: every phase is copied again before its next write.
        s.phases = basePhases = mergePlan(s.phases, event.plan)
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
      rebase(state)
      return state
    },
    replace: rebase,
  }
}
