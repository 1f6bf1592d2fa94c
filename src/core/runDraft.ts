import type { ActivityEntry, PhaseState, RunState, SequencedFrame, TaskState } from '../protocol/types'
import { activityEntry, applyEvent, isTerminal, type ReducerLimits, type RejectReason } from './applyEvent'

/**
 * One run's state, updated in place between two publishes. What `publish()` returned is never written again:
 * the first change after it copies the touched objects (state, phases array, one phase, its tasks, the
 * activity list), later changes in the same batch write to those copies. The result at every publish equals
 * folding `applyEvent` over the same events, with the same rejections; unchanged parts keep their identity.
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

/**
 * `{ ...open, type: 'tool_completed', endedAt, ok }` as `applyEvent` pairs a call, built field by field: the
 * spread of an entry (their shapes vary) took more time than all other work on a tool event.
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
 * Fast paths cover what a live run sends all the time (progress of an active phase, agent and tool events);
 * every other event, and every event the fast path is unsure of, goes through `applyEvent`, the authority.
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
      phase.tasks = phase.tasks!.slice()
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

  // The first match, as `applyEvent` finds it (a snapshot's phase list does not promise unique ids).
  function findPhase(id: string): number {
    const phases = state.phases
    for (let i = 0; i < phases.length; i++) if (phases[i]!.id === id) return i
    return -1
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

  /** An active phase of a running run, or -1 when the general reducer must decide. */
  function activePhase(id: string): number {
    if (state.status !== 'running') return -1
    const index = findPhase(id)
    return index >= 0 && state.phases[index]!.status === 'active' ? index : -1
  }

  function fast(event: SequencedFrame): boolean {
    switch (event.type) {
      case 'phase_progress': {
        const index = activePhase(event.phase)
        if (index < 0) return false
        const phase = state.phases[index]!
        if (phase.tasks !== undefined && phase.tasks.length > 0) return false
        if (phase.done !== undefined && event.done < phase.done) return false
        const next = writablePhase(index)
        next.done = event.done
        next.total = event.total
        if (event.label !== undefined) next.detail = event.label
        return true
      }
      case 'task_progress': {
        const index = activePhase(event.phase)
        if (index < 0) return false
        const tasks = state.phases[index]!.tasks
        // The first task of a phase (and the mixed-style check that comes with it) is the reducer's.
        if (tasks === undefined || tasks.length === 0) return false
        let at = 0
        while (at < tasks.length && tasks[at]!.id !== event.task) at++
        if (at === tasks.length) at = -1
        if (at >= 0 ? event.done < tasks[at]!.done : tasks.length >= limits.taskLimit) return false
        const next = writablePhase(index)
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
        if (event.label !== undefined) next.detail = event.label
        return true
      }
      case 'agent_started':
      case 'agent_completed':
      case 'agent_thinking':
        if (isTerminal(state.status)) return false
        push(activityEntry(event))
        return true
      case 'tool_executing':
        if (isTerminal(state.status) || findCall(event.call) >= 0) return false
        push(activityEntry(event))
        return true
      case 'tool_completed': {
        if (isTerminal(state.status)) return false
        const at = findCall(event.call)
        if (at < 0) {
          push(activityEntry(event))
          return true
        }
        const open = state.activity[at]!
        if (open.type === 'tool_completed') return false
        writableActivity()[at] = paired(open, event.ts, event.ok)
        return true
      }
      default:
        return false
    }
  }

  return {
    apply(event) {
      if (fast(event)) return undefined
      const result = applyEvent(state, event, limits)
      if (result.rejected) return result.rejected
      if (result.state !== state) {
        // The reducer may have reshaped anything (a new plan, a snapshot): copy again on the next write.
        state = result.state
        release()
      }
      return undefined
    },
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
