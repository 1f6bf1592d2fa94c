import type { EventBody, EventType, PhasePlanEntry } from '../../protocol/types'
import { createAdaptedIngest } from './createAdaptedIngest'
import { planOrderViolation } from './planOrder'

/**
 * A protocol event as an adapter produces it: `run` and the event's own fields are required; `v`, `seq`,
 * `epoch` and `ts` are optional. In unsequenced mode (the default with an adapter) any `seq`/`epoch` given is
 * ignored and the kit numbers events by arrival; `ts` defaults to the local time of arrival. Give `ts` on every
 * event or on none: phase start times and "now" must come from one clock, or estimates jump.
 */
export type AdaptedEvent = {
  [K in EventType]: { type: K; run: string; v?: 1; seq?: number; epoch?: string; ts?: number } & EventBody<K>
}[EventType]

/**
 * Maps one foreign message (already parsed from JSON when it arrived as text or bytes) to protocol events,
 * or to nothing (`null` or `[]`). May keep state between calls (one adapter serves one store). A throw is
 * caught, counted as `adapter_threw` and changes nothing.
 */
export interface Adapter {
  (message: unknown): AdaptedEvent[] | null
  /** The unsequenced pipeline that comes with every adapter, so the main entry does not carry it. */
  readonly createIngest: typeof createAdaptedIngest
  /** The extra phase rule of unsequenced mode, also brought along so the main entry does not carry it. */
  readonly planOrder: typeof planOrderViolation
}

/**
 * Types an adapter and lets it return one event, a list, or nothing.
 * @example
 * const adapter = defineAdapter<{ job: string; pct: number }>((m) =>
 *   events.phaseProgress(m.job, 'work', Math.round(m.pct), 100),
 * )
 */
export function defineAdapter<Message = unknown>(
  map: (message: Message) => AdaptedEvent | readonly AdaptedEvent[] | null | undefined,
): Adapter {
  const adapter = (message: unknown) => {
    const out = map(message as Message)
    if (out === null || out === undefined) return null
    return Array.isArray(out) ? [...(out as readonly AdaptedEvent[])] : [out as AdaptedEvent]
  }
  return Object.assign(adapter, { createIngest: createAdaptedIngest, planOrder: planOrderViolation })
}

type Extra = { ts?: number }

/** Fills `v: 1` and `run`; the envelope's other fields are left to the kit. */
function event<K extends EventType>(
  run: string,
  body: { type: K } & Omit<EventBody<K>, 'type'>,
  extra?: Extra,
) {
  return { v: 1, run, ...body, ...extra } as AdaptedEvent
}

/**
 * Builders of adapted events, one per event type an adapter usually needs (`event` builds any other).
 * @example
 * return [events.phaseCompleted(run, 'search'), events.phaseStarted(run, 'write')]
 */
export const events = {
  event,
  runStarted: (run: string, plan: PhasePlanEntry[], title?: string, extra?: Extra) =>
    event(
      run,
      title === undefined ? { type: 'run_started', plan } : { type: 'run_started', plan, title },
      extra,
    ),
  planUpdated: (run: string, plan: PhasePlanEntry[], extra?: Extra) =>
    event(run, { type: 'plan_updated', plan }, extra),
  phaseStarted: (run: string, phase: string, extra?: Extra) =>
    event(run, { type: 'phase_started', phase }, extra),
  phaseProgress: (run: string, phase: string, done: number, total: number, label?: string, extra?: Extra) =>
    event(
      run,
      label === undefined
        ? { type: 'phase_progress', phase, done, total }
        : { type: 'phase_progress', phase, done, total, label },
      extra,
    ),
  phaseCompleted: (run: string, phase: string, extra?: Extra) =>
    event(run, { type: 'phase_completed', phase }, extra),
  phaseFailed: (run: string, phase: string, error: string, extra?: Extra) =>
    event(run, { type: 'phase_failed', phase, error }, extra),
  agentThinking: (run: string, agent: string, text: string, extra?: Extra) =>
    event(run, { type: 'agent_thinking', agent, text }, extra),
  toolExecuting: (run: string, call: string, tool: string, extra?: Extra) =>
    event(run, { type: 'tool_executing', call, tool }, extra),
  toolCompleted: (run: string, call: string, tool: string, ok?: boolean, extra?: Extra) =>
    event(
      run,
      ok === undefined ? { type: 'tool_completed', call, tool } : { type: 'tool_completed', call, tool, ok },
      extra,
    ),
  runCompleted: (run: string, extra?: Extra) => event(run, { type: 'run_completed' }, extra),
  runFailed: (run: string, error?: string, extra?: Extra) =>
    event(run, error === undefined ? { type: 'run_failed' } : { type: 'run_failed', error }, extra),
  runCancelled: (run: string, error?: string, extra?: Extra) =>
    event(run, error === undefined ? { type: 'run_cancelled' } : { type: 'run_cancelled', error }, extra),
}

/** Per-run memory of a stateful adapter, bounded: the oldest run is forgotten first. */
export function boundedRuns<T>(limit: number, make: () => T) {
  const runs = new Map<string, T>()
  return {
    get(run: string): T {
      let found = runs.get(run)
      if (found === undefined) {
        found = make()
        runs.set(run, found)
        if (runs.size > limit) runs.delete(runs.keys().next().value as string)
      }
      return found
    },
    delete: (run: string) => runs.delete(run),
  }
}
