import type { PhasePlanEntry, RunState } from '../protocol/types'
import type { EventInput, PrefixResult, PublishOptions, RunRecord } from './createRunRecord'
import { PublishError } from './PublishError'

/**
 * The producer's handle on one run. Every method queues one mutation; calls from any number of concurrent
 * tasks are applied one at a time in call order, each accepted event taking the next seq. The promise
 * resolves with that seq, or rejects with a `PublishError` (the event is then not logged, not sent, and
 * nothing changed).
 */
export interface RunPublisher {
  readonly runId: string
  /** The current epoch of the run's log (with `persist`, final once the run has loaded: after any awaited call). */
  readonly epoch: string
  /** The last seq issued (0 before the first event). */
  readonly head: number
  /** Connections following the run now: its viewers. */
  readonly subscribers: number
  /** The run state as of `head` (what a snapshot carries). */
  state(): RunState
  /** Publishes any event body; the named methods below are shorthands for it. */
  publish(event: EventInput): Promise<number>
  /**
   * Publishes a batch the way the HTTP publish API does: each event in order until the first refusal, which is
   * returned with its index (the events before it stand, none after it is applied). Unlike `transition`, not
   * atomic. Rejects only with `hub_closed`.
   * @example
   * const { seq, refused } = await run.publishPrefix(events)
   */
  publishPrefix(events: readonly EventInput[], options?: PublishOptions): Promise<PrefixResult>
  start(plan: PhasePlanEntry[], options?: { title?: string }): Promise<number>
  updatePlan(plan: PhasePlanEntry[]): Promise<number>
  /**
   * The run waits behind `position` others: before it started, or in its middle (for a free agent slot, say) until
   * its next phase event. `etaMs`: the expected wait.
   */
  queued(position: number, options?: { etaMs?: number }): Promise<number>
  /** A phase became active; `tasks` announces how many parallel tasks it will run, before any reports. */
  phaseStarted(phase: string, options?: { tasks?: number }): Promise<number>
  phaseProgress(phase: string, done: number, total: number, label?: string): Promise<number>
  taskProgress(phase: string, task: string, done: number, total: number, label?: string): Promise<number>
  phaseCompleted(phase: string): Promise<number>
  phaseSkipped(phase: string): Promise<number>
  phaseFailed(phase: string, error: string): Promise<number>
  /** Completes `fromPhase` and starts `toPhase` as one step (two consecutive seqs); resolves with the second. */
  transition(fromPhase: string, toPhase: string): Promise<number>
  agentStarted(agent: string): Promise<number>
  agentThinking(agent: string, text: string): Promise<number>
  agentCompleted(agent: string, ok?: boolean): Promise<number>
  toolExecuting(call: string, tool: string, agent?: string): Promise<number>
  toolCompleted(call: string, tool: string, options?: { ok?: boolean; agent?: string }): Promise<number>
  complete(): Promise<number>
  fail(error?: string): Promise<number>
  cancel(reason?: string): Promise<number>
  /**
   * Resolves `true` once a connection follows the run (at once if one does), `false` on timeout or close: the
   * "viewer ready" handshake, so a job's first events are not published to nobody.
   */
  firstSubscriber(options?: { timeoutMs?: number }): Promise<boolean>
  /**
   * An `AbortSignal` that aborts once the run has had no viewer for `afterMs` (default 30 s, which rides out a
   * viewer's reconnect; counted from now if nobody follows the run now). Hand it to the work, or cancel the task on
   * its `abort` event. It never aborts once the run ended.
   * @example
   * const signal = run.unwatched({ afterMs: 60_000 })
   * signal.addEventListener('abort', () => job.cancel())
   */
  unwatched(options?: { afterMs?: number }): AbortSignal
}

/** How long a run may have no viewer before `unwatched()` aborts, by default. */
export const UNWATCHED_DEFAULT_MS = 30_000

/** A copy without undefined optionals, so frames and logs carry only what was said. */
function defined<T extends object>(body: T): T {
  const copy = { ...body }
  for (const key of Object.keys(copy) as (keyof T)[]) if (copy[key] === undefined) delete copy[key]
  return copy
}

/** Builds the publisher of a run record (see `RunPublisher`). */
export function createRunPublisher(record: RunRecord): RunPublisher {
  const refuse = (error: unknown, type: string): Promise<never> => {
    const detail = error instanceof Error ? error.message : String(error)
    return Promise.reject(
      error instanceof PublishError ? error : new PublishError('invalid_event', record.id, type, detail),
    )
  }
  // Whatever the caller hands in (a throwing getter, a Proxy), the answer is a rejected promise, never a throw:
  // reading an event or an option happens inside these.
  const safely = <T>(type: string, call: () => Promise<T>): Promise<T> => {
    try {
      return call()
    } catch (error) {
      return refuse(error, type)
    }
  }
  const one = (event: EventInput) => safely('publish', () => record.publish([defined(event)]))
  return {
    runId: record.id,
    get epoch() {
      return record.epoch
    },
    get head() {
      return record.head
    },
    get subscribers() {
      return record.subscriberCount
    },
    state: () => record.state,
    publish: one,
    publishPrefix: (events, options) =>
      safely('publishPrefix', () => record.publishPrefix(events.map(defined), options)),
    start: (plan, options) =>
      safely('run_started', () => one({ type: 'run_started', plan, title: options?.title })),
    updatePlan: (plan) => one({ type: 'plan_updated', plan }),
    queued: (position, options) => one({ type: 'queued', position, etaMs: options?.etaMs }),
    phaseStarted: (phase, options) => one({ type: 'phase_started', phase, tasks: options?.tasks }),
    phaseProgress: (phase, done, total, label) => one({ type: 'phase_progress', phase, done, total, label }),
    taskProgress: (phase, task, done, total, label) =>
      one({ type: 'task_progress', phase, task, done, total, label }),
    phaseCompleted: (phase) => one({ type: 'phase_completed', phase }),
    phaseSkipped: (phase) => one({ type: 'phase_skipped', phase }),
    phaseFailed: (phase, error) => one({ type: 'phase_failed', phase, error }),
    transition: (fromPhase, toPhase) =>
      record.publish([
        { type: 'phase_completed', phase: fromPhase },
        { type: 'phase_started', phase: toPhase },
      ]),
    agentStarted: (agent) => one({ type: 'agent_started', agent }),
    agentThinking: (agent, text) => one({ type: 'agent_thinking', agent, text }),
    agentCompleted: (agent, ok) => one({ type: 'agent_completed', agent, ok }),
    toolExecuting: (call, tool, agent) => one({ type: 'tool_executing', call, tool, agent }),
    toolCompleted: (call, tool, options) =>
      safely('tool_completed', () =>
        one({ type: 'tool_completed', call, tool, ok: options?.ok, agent: options?.agent }),
      ),
    complete: () => one({ type: 'run_completed' }),
    fail: (error) => one({ type: 'run_failed', error }),
    cancel: (reason) => one({ type: 'run_cancelled', error: reason }),
    firstSubscriber: (options) => safely('firstSubscriber', () => record.firstSubscriber(options?.timeoutMs)),
    unwatched: (options) => record.unwatched(options?.afterMs ?? UNWATCHED_DEFAULT_MS),
  }
}
