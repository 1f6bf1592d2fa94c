import fc from 'fast-check'
import { applyEvent, createRunState, DEFAULT_LIMITS, type ReducerLimits } from '../../src/core/applyEvent'
import type {
  EventBody,
  EventByType,
  EventType,
  HeartbeatFrame,
  PhasePlanEntry,
  RunEvent,
  RunState,
  SnapshotFrame,
} from '../../src/protocol/types'

/**
 * Shared generator of realistic, valid run logs (PROTOCOL.md v1) for tests anywhere in the repo.
 * A log is what a well-behaved server stamps for one run and epoch: seq 1, 2, 3 … with no holes,
 * every event accepted by `applyEvent` (a test below proves it).
 */

export const T0 = 1_700_000_000_000

export type Body = { [K in Exclude<EventType, 'snapshot'>]: { type: K } & EventBody<K> }[Exclude<
  EventType,
  'snapshot'
>]

export interface RunLog {
  run: string
  epoch: string
  plan: PhasePlanEntry[]
  events: RunEvent[]
}

/** Stamps bodies with the envelope: seq from 1, ts a step apart. */
export function stamp(
  bodies: readonly Body[],
  run = 'run-1',
  epoch = 'e1',
  t0 = T0,
  stepMs = 100,
): RunEvent[] {
  return bodies.map((body, i) => ({ v: 1, run, epoch, seq: i + 1, ts: t0 + i * stepMs, ...body }) as RunEvent)
}

/** One event with the envelope, for hand-written tests. */
export function ev<K extends Exclude<EventType, 'snapshot'>>(
  type: K,
  seq: number,
  body: Omit<EventBody<K>, 'type'>,
  extra: { run?: string; epoch?: string; ts?: number } = {},
): EventByType[K] {
  return {
    v: 1,
    type,
    run: extra.run ?? 'run-1',
    epoch: extra.epoch ?? 'e1',
    seq,
    ts: extra.ts ?? T0 + seq * 100,
    ...body,
  } as EventByType[K]
}

export function heartbeat(
  head: number,
  extra: { run?: string; epoch?: string; ts?: number } = {},
): HeartbeatFrame {
  return {
    v: 1,
    type: 'heartbeat',
    run: extra.run ?? 'run-1',
    epoch: extra.epoch ?? 'e1',
    head,
    ts: extra.ts ?? T0,
  }
}

/** What the server does: fold `applyEvent` over the log. Throws if any event is rejected (logs must be valid). */
export function foldLog(events: readonly RunEvent[], limits: ReducerLimits = DEFAULT_LIMITS): RunState {
  let state = createRunState()
  for (const event of events) {
    const result = applyEvent(state, event, limits)
    if (result.rejected)
      throw new Error(`log event seq ${event.seq} (${event.type}) rejected: ${result.rejected}`)
    state = result.state
  }
  return state
}

/** A snapshot of the run as of the event with seq `upTo` (default: the whole log), built as the hub will. */
export function snapshotOf(log: RunLog, upTo = log.events.length, ts = T0 + upTo * 100): SnapshotFrame {
  return {
    v: 1,
    type: 'snapshot',
    run: log.run,
    epoch: log.epoch,
    seq: upTo,
    ts,
    state: foldLog(log.events.slice(0, upTo)),
  }
}

/** The same log under another epoch (a server that restarted and replayed the job). */
export function reEpoch(log: RunLog, epoch: string): RunLog {
  return { ...log, epoch, events: log.events.map((event) => ({ ...event, epoch })) }
}

// A small deterministic PRNG: the interleaving comes from a seed so fast-check can replay it.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type PhaseKind = 'counted' | 'tasks' | 'agentic' | 'skipped'

export interface LogSpec {
  /** Phase kinds in plan order. */
  kinds: PhaseKind[]
  weights: number[]
  seed: number
  terminal: 'run_completed' | 'run_failed' | 'run_cancelled'
  queued: boolean
  planUpdate: boolean
}

const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))

/** Events of one phase, in the order its worker emits them. */
function laneOf(id: string, kind: PhaseKind, rand: () => number, callBase: number): Body[] {
  const lane: Body[] = []
  if (kind === 'skipped') return [{ type: 'phase_skipped', phase: id }]
  // Half of the phases never say phase_started: their first progress starts them (rule 6).
  if (kind === 'agentic' || rand() < 0.5) lane.push({ type: 'phase_started', phase: id })
  if (kind === 'counted') {
    let total = int(rand, 1, 5)
    let done = 0
    while (done < total) {
      done += int(rand, 1, 2)
      if (done > total) done = total
      if (rand() < 0.2) total += 1 // totals may grow
      lane.push({ type: 'phase_progress', phase: id, done, total, label: `item ${done}` })
    }
  } else if (kind === 'tasks') {
    const tasks = Array.from({ length: int(rand, 2, 5) }, (_, i) => ({
      id: `${id}-t${i}`,
      done: 0,
      total: int(rand, 1, 3),
    }))
    let open = tasks.slice()
    while (open.length > 0) {
      const task = open[int(rand, 0, open.length - 1)]!
      task.done += 1
      lane.push({ type: 'task_progress', phase: id, task: task.id, done: task.done, total: task.total })
      open = open.filter((t) => t.done < t.total)
    }
  } else {
    const agent = `${id}-agent`
    lane.push({ type: 'agent_started', agent })
    const calls = int(rand, 1, 3)
    for (let c = 0; c < calls; c++) {
      const call = `call-${callBase + c}`
      lane.push({ type: 'agent_thinking', agent, text: `step ${c}` })
      lane.push({ type: 'tool_executing', call, tool: c % 2 ? 'fetch' : 'search', agent })
      lane.push({ type: 'tool_completed', call, tool: c % 2 ? 'fetch' : 'search', agent, ok: rand() < 0.8 })
    }
    lane.push({ type: 'agent_completed', agent, ok: true })
  }
  lane.push({ type: 'phase_completed', phase: id })
  return lane
}

/** Builds a valid log from a spec: phases overlap (lane i may run while lane i-1 is finishing). */
export function buildLog(spec: LogSpec, run = 'run-1', epoch = 'e1'): RunLog {
  const rand = mulberry32(spec.seed)
  const plan: PhasePlanEntry[] = spec.kinds.map((kind, i) => {
    const entry: PhasePlanEntry = { id: `p${i}-${kind}`, label: `Phase ${i}`, weight: spec.weights[i] ?? 1 }
    if (kind === 'agentic') entry.expectedMs = 2000
    return entry
  })
  if (!plan.some((p) => p.weight > 0)) plan[0]!.weight = 1
  const bodies: Body[] = []
  if (spec.queued) bodies.push({ type: 'queued', position: int(rand, 0, 3) })
  const declared = spec.planUpdate ? plan.slice(0, -1) : plan
  if (!declared.some((p) => p.weight > 0)) declared[0]!.weight = 1
  bodies.push({ type: 'run_started', plan: declared.map((p) => ({ ...p })), title: 'Research run' })
  const lanes = spec.kinds.map((kind, i) => laneOf(plan[i]!.id, kind, rand, i * 10))
  const cursor = lanes.map(() => 0)
  let updated = !spec.planUpdate
  for (;;) {
    // Lane i is eligible once lane i-1 has begun: at most two neighbours overlap, as in the incident.
    const eligible: number[] = []
    for (let i = 0; i < lanes.length; i++) {
      if (cursor[i]! >= lanes[i]!.length) continue
      if (i > 0 && cursor[i - 1]! === 0) break
      if (i > 1 && cursor[i - 2]! < lanes[i - 2]!.length) break
      eligible.push(i)
    }
    if (eligible.length === 0) break
    const lane = eligible[int(rand, 0, eligible.length - 1)]!
    if (!updated && lane === lanes.length - 1) {
      bodies.push({ type: 'plan_updated', plan: plan.map((p) => ({ ...p })) })
      updated = true
    }
    bodies.push(lanes[lane]![cursor[lane]!]!)
    cursor[lane]! += 1
  }
  if (spec.terminal !== 'run_completed') {
    // A failed or cancelled run stops somewhere in the middle.
    bodies.length = Math.max(2, Math.min(bodies.length, int(rand, 3, bodies.length)))
  }
  bodies.push(
    spec.terminal === 'run_failed' ? { type: 'run_failed', error: 'boom' } : { type: spec.terminal },
  )
  return { run, epoch, plan, events: stamp(bodies, run, epoch) }
}

const kindArb = fc.constantFrom<PhaseKind>('counted', 'tasks', 'agentic', 'skipped', 'counted')

/** fast-check spec of a realistic log: always a counted, a tasks and an agentic phase, plus up to two more. */
export const logSpecArb: fc.Arbitrary<LogSpec> = fc
  .record({
    extra: fc.array(kindArb, { maxLength: 2 }),
    rotate: fc.nat({ max: 4 }),
    weights: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 5, maxLength: 5 }),
    seed: fc.integer(),
    terminal: fc.constantFrom(
      'run_completed',
      'run_completed',
      'run_completed',
      'run_failed',
      'run_cancelled',
    ),
    queued: fc.boolean(),
    planUpdate: fc.boolean(),
  })
  .map(({ extra, rotate, weights, seed, terminal, queued, planUpdate }) => {
    const base: PhaseKind[] = ['counted', 'tasks', 'agentic']
    const kinds = [...base.slice(rotate % 3), ...base.slice(0, rotate % 3), ...extra]
    // The counted, tasks and agentic phases always carry weight: the bar has something to show.
    const w = weights.map((x, i) => (i < 3 ? Math.max(1, x) : x))
    return { kinds, weights: w, seed, terminal, queued, planUpdate } as LogSpec
  })

/** fast-check arbitrary of realistic valid logs. */
export const runLogArb: fc.Arbitrary<RunLog> = logSpecArb.map((spec) => buildLog(spec))

/** A fixed, readable example log (seed 7): handy in non-property tests. */
export function exampleLog(run = 'run-1', epoch = 'e1'): RunLog {
  return buildLog(
    {
      kinds: ['counted', 'tasks', 'agentic', 'counted'],
      weights: [1, 2, 3, 1],
      seed: 7,
      terminal: 'run_completed',
      queued: false,
      planUpdate: false,
    },
    run,
    epoch,
  )
}
