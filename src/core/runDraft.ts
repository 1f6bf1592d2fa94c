import type {
  ActivityEntry,
  AgentCounts,
  PhaseState,
  RunState,
  SequencedFrame,
  TaskState,
} from '../protocol/types'
import { activityEntry, countAgents, createActivityIndex, isOpenEntry, trimActivity } from './activityEntries'
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

type Ending = 'completed' | 'failed' | 'cancelled'

/** A run without agents (frozen: views hand it out). */
export const NO_AGENTS: AgentCounts = Object.freeze({ active: 0, completed: 0, failed: 0 })
/** What the end of a run makes of its active phases (PROTOCOL v1.1 decision 3). */
const CLOSED_PHASE = { completed: 'done', failed: 'failed', cancelled: 'skipped' } as const

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
  // Calls, open agents and where eviction looks, without a scan: scanning 200 entries of mixed shapes for every
  // tool event was the draft's largest cost.
  const entries = createActivityIndex()

  function rebase(next: RunState) {
    state = base = next
    basePhases = next.phases
  }

  function writableState(): RunState {
    if (state === base) state = { ...state }
    return state
  }

  /** A new run status that ends any wait in the queue: position and wait go (a new object, then the draft's). */
  function leaveQueue(status: RunState['status']) {
    const { queuePosition: _, queueEtaMs: __, ...rest } = state
    rest.status = status
    state = rest
  }

  /** Any phase event ends a wait in the queue, before the run started or in its middle (decision 9). */
  function endWait() {
    if (state.status === 'pending' || state.status === 'queued') leaveQueue('running')
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
      entries.moved(s.activity, copy)
      s.activity = copy
    }
    return s.activity
  }

  /** The activity index, describing the current list (rescanned only after a snapshot or a replace). */
  function indexed() {
    entries.sync(state.activity)
    return entries
  }

  /** Replaces an entry of the list (found from the newest end: the entries a run closes are mostly recent). */
  function replaceEntry(previous: ActivityEntry, next: ActivityEntry) {
    const activity = writableActivity()
    const at = activity.lastIndexOf(previous)
    activity[at] = next
    entries.replaced(at, previous, next)
  }

  function countAgent(ending: 'started' | 'completed' | 'failed') {
    const agents = { ...(state.agents ?? NO_AGENTS) }
    if (ending === 'started') agents.active++
    else {
      // A snapshot may undercount (a server before v1.1): a count never goes below zero.
      agents.active = Math.max(0, agents.active - 1)
      agents[ending]++
    }
    writableState().agents = agents
  }

  function writableTasks(index: number, phase: PhaseState): TaskState[] {
    // `phase` is the draft's copy of basePhases[index]: its tasks are its own once they are not the original's.
    if (phase.tasks === basePhases[index]!.tasks) phase.tasks = phase.tasks?.slice() ?? []
    return phase.tasks!
  }

  /** Appends an entry (the index is current: every activity event syncs it first) and evicts one if full. */
  function push(entry: ActivityEntry) {
    const activity = writableActivity()
    activity.push(entry)
    entries.added(entry)
    // Past the limit by more than one only after a snapshot held more open entries than this draft keeps.
    while (activity.length > activityLimit && entries.evict(activity)) {}
  }

  /**
   * The end of the run closes what is open (decision 3): active phases end as the run did, open agents and
   * calls as interrupted (`ok: false`) at `ts`, and the active agents count as failed.
   */
  function closeOpen(ending: Ending, ts: number) {
    for (let i = 0; i < state.phases.length; i++) {
      if (state.phases[i]!.status !== 'active') continue
      const phase = writablePhase(i)
      phase.status = CLOSED_PHASE[ending]
      phase.endedAt = ts
      phase.interrupted = true
    }
    if (indexed().open > 0) {
      const activity = writableActivity()
      for (let at = 0; at < activity.length; at++) {
        const entry = activity[at]!
        if (!isOpenEntry(entry)) continue
        const closed = activityEntry(entry, entry.type, false, ts)
        closed.interrupted = true
        activity[at] = closed
        entries.replaced(at, entry, closed)
      }
    }
    const { active, completed, failed } = state.agents ?? NO_AGENTS
    if (active > 0) writableState().agents = { active: 0, completed, failed: failed + active }
  }

  /**
   * A snapshot as this draft keeps a run: cut to its activity limit, with agent counts, and nothing open under an
   * ended run (a server before v1.1, or one with a larger limit, may send otherwise). Untouched when it complies.
   */
  function adopt(snapshot: RunState, ts: number) {
    rebase(snapshot)
    const trimmed = trimActivity(state.activity, activityLimit)
    if (trimmed !== state.activity) writableState().activity = trimmed
    if (state.agents === undefined) {
      const agents = countAgents(state.activity)
      if (agents) writableState().agents = agents
    }
    if (isTerminal(state.status)) closeOpen(state.status as Ending, ts)
  }

  /** Index of an open phase (the first match: a snapshot's list does not promise unique ids), or why not. */
  function openPhase(id: string): number | RejectReason {
    const list = state.phases
    let index = 0
    while (index < list.length && list[index]!.id !== id) index++
    if (index === list.length) return 'unknown_phase'
    return isPhaseFinished(list[index]!.status) ? 'phase_finished' : index
  }

  /** The phase, writable and active from `ts` on; it ends the run's wait in the queue. */
  function activate(at: number, ts: number): PhaseState {
    const next = writablePhase(at)
    if (next.status === 'pending') {
      next.status = 'active'
      next.startedAt = ts
    }
    endWait()
    return next
  }

  function apply(event: SequencedFrame): RejectReason | undefined {
    if (event.type === 'snapshot') {
      adopt(event.state, event.ts)
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
        const next = activate(index, event.ts)
        if (event.tasks !== undefined) next.taskCount = event.tasks
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
        endWait()
        return
      }
      case 'agent_thinking':
        indexed()
        push(activityEntry(event, event.type))
        return
      case 'agent_started':
      case 'tool_executing': {
        const known =
          event.type === 'agent_started' ? indexed().agent(event.agent) : indexed().call(event.call)
        if (known) return event.type === 'agent_started' ? 'duplicate_agent' : 'duplicate_call'
        // Open entries are never evicted: their number is what bounds the list.
        if (entries.open >= activityLimit) return 'too_many_open'
        push(activityEntry(event, event.type))
        if (event.type === 'agent_started') countAgent('started')
        return
      }
      case 'agent_completed': {
        // A second end, or one for an agent never started, would make every count built on it wrong.
        const started = indexed().agent(event.agent)
        if (!started) return 'unmatched_end'
        replaceEntry(started, activityEntry(started, started.type, started.ok, event.ts))
        push(activityEntry(event, event.type))
        countAgent(event.ok === false ? 'failed' : 'completed')
        return
      }
      case 'tool_completed': {
        const open = indexed().call(event.call)
        if (!open || !isOpenEntry(open)) return 'unmatched_end'
        // Pair in place: the entry keeps its start time and gains an end.
        replaceEntry(open, activityEntry(open, event.type, event.ok ?? open.ok, event.ts))
        return
      }
      case 'run_started':
      case 'plan_updated': {
        const { status, phases } = state
        if (event.type === 'run_started') {
          const began = phases.some((p) => p.status !== 'pending')
          if (began || (phases.length > 0 && status === 'running')) return 'already_started'
          // A run waiting in the queue before it started still waits (decision 9).
          writableState().status = status === 'queued' ? 'queued' : 'running'
        }
        const s = writableState()
        // Indices moved: every phase is copied again before its next write.
        s.phases = basePhases = mergePlan(s.phases, event.plan)
        if (event.type === 'run_started' && event.title !== undefined) s.title = event.title
        return
      }
      case 'queued': {
        // At any time before the end: in the middle of a run it waits again (for an agent slot, say).
        leaveQueue('queued')
        state.queuePosition = event.position
        if (event.etaMs !== undefined) state.queueEtaMs = event.etaMs
        return
      }
      default: {
        // run_completed, run_failed, run_cancelled: the ending is the type's own word.
        const ending = event.type.slice(4) as Ending
        leaveQueue(ending)
        if (event.error !== undefined) state.error = event.error
        closeOpen(ending, event.ts)
      }
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
