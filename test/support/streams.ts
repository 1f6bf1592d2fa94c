import fc from 'fast-check'
import { applyEvent, createRunState, DEFAULT_LIMITS, type ReducerLimits } from '../../src/core/applyEvent'
import type { PhasePlanEntry, RunEvent, RunState, SequencedFrame } from '../../src/protocol/types'
import { type Body, T0 } from './logs'

/**
 * Random streams of one run's events, valid or not: agents and calls over a few ids (so ends repeat, come without a
 * start, or before it), chatty thinking lines, phases over a small plan with announced task counts, the queue at
 * any moment, terminal events anywhere, and snapshots of what a server with the default limits holds by then.
 * Where `logs.ts` makes the logs a well-behaved producer writes, these are what the phase rules must survive.
 */

export const STREAM_PLAN: PhasePlanEntry[] = [
  { id: 'p0', label: 'Plan', weight: 1 },
  { id: 'p1', label: 'Search', weight: 3 },
  { id: 'p2', label: 'Write', weight: 1, expectedMs: 2000 },
]

const agent = fc.constantFrom('a0', 'a1', 'a2')
const call = fc.constantFrom('c0', 'c1', 'c2', 'c3')
const phase = fc.constantFrom('p0', 'p1', 'p2')
const ok = fc.constantFrom<boolean | undefined>(true, false, undefined)
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

/** Drops undefined optionals, as a producer's frame would not carry them. */
function defined<T extends object>(body: T): T {
  const copy = { ...body }
  for (const key of Object.keys(copy) as (keyof T)[]) if (copy[key] === undefined) delete copy[key]
  return copy
}

const terminalArb = fc.constantFrom<Body>(
  { type: 'run_completed' },
  { type: 'run_failed', error: 'boom' },
  { type: 'run_cancelled' },
)

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({ type: fc.constant('agent_thinking' as const), agent, text: fc.constant('…') }),
  },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('agent_started' as const), agent }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('agent_completed' as const), agent, ok }) },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('tool_executing' as const),
      call,
      tool: fc.constant('search'),
      agent: maybe(agent),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('tool_completed' as const),
      call,
      tool: fc.constant('search'),
      ok,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('phase_started' as const), phase, tasks: maybe(fc.nat(6)) }),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ phase, task: fc.constantFrom('t0', 't1', 't2'), done: fc.nat(4), more: fc.nat(3) })
      .map(({ phase, task, done, more }) => ({
        type: 'task_progress' as const,
        phase,
        task,
        done,
        total: done + more,
      })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ phase, done: fc.nat(4), more: fc.nat(3) })
      .map(({ phase, done, more }) => ({ type: 'phase_progress' as const, phase, done, total: done + more })),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.record({ type: fc.constant('phase_completed' as const), phase }),
      fc.record({ type: fc.constant('phase_skipped' as const), phase }),
      fc.record({ type: fc.constant('phase_failed' as const), phase, error: fc.constant('broke') }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('queued' as const),
      position: fc.nat(3),
      etaMs: maybe(fc.nat(60_000)),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Body>({ type: 'run_started', plan: STREAM_PLAN }) },
) as fc.Arbitrary<Body>

/** A step of a stream: an event body, or a snapshot of what the server holds by then. */
type Step = Body | 'snapshot'

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 80, arbitrary: bodyArb.map(defined) },
  { weight: 1, arbitrary: terminalArb },
  { weight: 1, arbitrary: fc.constant('snapshot' as const) },
)

export interface RandomStream {
  events: SequencedFrame[]
  /** Client limits: often far smaller than the server's, so eviction runs all the time. */
  limits: ReducerLimits
}

/**
 * Stamps the steps (seq = position, ts 100 ms apart) and turns each snapshot marker into a snapshot of the state a
 * server folding the same events with the default limits holds at that point.
 */
export function stampStream(steps: readonly Step[], limits: ReducerLimits): RandomStream {
  let server: RunState = createRunState()
  const events: SequencedFrame[] = []
  steps.forEach((step, i) => {
    const envelope = { v: 1 as const, run: 'run-1', epoch: 'e1', seq: i + 1, ts: T0 + i * 100 }
    if (step === 'snapshot') {
      events.push({ ...envelope, type: 'snapshot', state: server })
      return
    }
    const event = { ...envelope, ...step } as RunEvent
    server = applyEvent(server, event).state
    events.push(event)
  })
  return { events, limits }
}

/** fast-check arbitrary of random streams, most of them starting with `run_started` (some queued before it). */
export const randomStreamArb: fc.Arbitrary<RandomStream> = fc
  .record({
    opening: fc.constantFrom<Step[]>(
      [{ type: 'run_started', plan: STREAM_PLAN }],
      [
        { type: 'queued', position: 2 },
        { type: 'run_started', plan: STREAM_PLAN },
      ],
      [],
    ),
    steps: fc.array(stepArb, { maxLength: 150, size: 'large' }),
    ending: fc.option(terminalArb, { nil: undefined }),
    activityLimit: fc.constantFrom(1, 2, 3, 5, DEFAULT_LIMITS.activityLimit),
    taskLimit: fc.constantFrom(2, DEFAULT_LIMITS.taskLimit),
  })
  .map(({ opening, steps, ending, activityLimit, taskLimit }) =>
    stampStream([...opening, ...steps, ...(ending ? [ending] : [])], { activityLimit, taskLimit }),
  )
