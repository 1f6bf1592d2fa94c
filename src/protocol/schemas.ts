import * as v from 'valibot'
import { isCount, isEpoch, isFiniteNumber, isId, isPeriod, isSeq, isText, isWeight } from './scalars'

/** Valibot schemas for every frame of PROTOCOL.md v1 (amended v1.1). Types in `types.ts` are inferred from these. */

/** A scalar schema over one of PROTOCOL's predicates; its issue says what was expected and (the start of) what came. */
/* @__NO_SIDE_EFFECTS__ */
const scalar = <T>(check: (x: unknown) => x is T, expected: string) =>
  v.custom<T>(
    check as (x: unknown) => boolean,
    (issue) => `expected ${expected}, got ${issue.received.slice(0, 40)}`,
  )

/** One of a few exact values: a frame type, a status, the protocol version. */
/* @__NO_SIDE_EFFECTS__ */
const oneOf = <const T extends readonly (string | number)[]>(...values: T) =>
  scalar((x): x is T[number] => values.includes(x as T[number]), values.join(' | '))
const flag = scalar((x): x is boolean => typeof x === 'boolean', 'a boolean')

const id = scalar(isId, '1-128 chars')
const text = scalar(isText, '0-4096 chars')
const count = scalar(isCount, 'an integer >= 0')
const finite = scalar(isFiniteNumber, 'a finite number')
const weight = scalar(isWeight, 'a finite number >= 0')
const epoch = scalar(isEpoch, '1-64 chars')
const period = scalar(isPeriod, 'a finite number > 0')
/** `schema`, then a rule on what it gave (a custom schema in a pipe: valibot's `check` is not bundled). */
/* @__NO_SIDE_EFFECTS__ */
const refine = <S extends v.GenericSchema>(
  schema: S,
  rule: (value: v.InferOutput<S>) => boolean,
  message: string,
) =>
  v.pipe(
    schema,
    v.custom<v.InferOutput<S>>((value) => rule(value as v.InferOutput<S>), message),
  )
/** An array of at most `max` items. */
/* @__NO_SIDE_EFFECTS__ */
const listOf = <S extends v.GenericSchema>(item: S, max: number) =>
  refine(v.array(item), (list) => list.length <= max, `max ${max} items`)

export const versionSchema = oneOf(1)
export const runIdSchema = id
export const epochSchema = epoch
export const seqSchema = scalar(isSeq, 'an integer >= 1')

const envelope = {
  v: versionSchema,
  run: runIdSchema,
  epoch: epochSchema,
  seq: seqSchema,
  ts: finite,
}

export const phasePlanEntrySchema = v.object({
  id,
  label: text,
  weight,
  expectedMs: v.optional(weight),
})

export const planSchema = refine(
  // Also refuses an empty plan.
  refine(listOf(phasePlanEntrySchema, 256), (plan) => plan.some((p) => p.weight > 0), 'no weight > 0'),
  (plan) => new Set(plan.map((p) => p.id)).size === plan.length,
  'duplicate phase id',
)

const doneTotal = (frame: { done: number; total: number }) => frame.done <= frame.total

export const taskStateSchema = v.object({ id, done: count, total: count, label: v.optional(text) })

export const phaseStateSchema = v.object({
  id,
  label: text,
  weight,
  expectedMs: v.optional(weight),
  status: oneOf('pending', 'active', 'done', 'skipped', 'failed'),
  done: v.optional(count),
  total: v.optional(count),
  detail: v.optional(text),
  startedAt: v.optional(finite),
  endedAt: v.optional(finite),
  error: v.optional(text),
  tasks: v.optional(listOf(taskStateSchema, 256)),
  /** Parallel tasks the phase announced (`phase_started.tasks`), before or beyond those heard from. */
  taskCount: v.optional(count),
  /** The run's end closed the phase while it was active (decision 3), not an event of its own. */
  interrupted: v.optional(flag),
})

export const activityEntrySchema = v.object({
  seq: seqSchema,
  ts: finite,
  type: oneOf('agent_started', 'agent_completed', 'agent_thinking', 'tool_executing', 'tool_completed'),
  agent: v.optional(id),
  tool: v.optional(id),
  call: v.optional(id),
  text: v.optional(text),
  ok: v.optional(flag),
  endedAt: v.optional(finite),
  /** An agent or call the run's end closed before its own end came (decision 3): `ok` is false. */
  interrupted: v.optional(flag),
})

/** Agents of a run by state: open now, ended well, ended badly (or interrupted). */
export const agentCountsSchema = v.object({ active: count, completed: count, failed: count })

export const runStateSchema = v.object({
  status: oneOf('pending', 'queued', 'running', 'completed', 'failed', 'cancelled'),
  title: v.optional(text),
  queuePosition: v.optional(count),
  /** The producer's estimate of the wait in the queue when it said so (`queued.etaMs`), ms. */
  queueEtaMs: v.optional(weight),
  error: v.optional(text),
  agents: v.optional(agentCountsSchema),
  phases: listOf(phaseStateSchema, 256),
  activity: listOf(activityEntrySchema, 1000),
})

/** A sequenced frame of `type`: the envelope, then the fields of its own. */
/* @__NO_SIDE_EFFECTS__ */
const event = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) =>
  v.object({ ...envelope, type: oneOf(type), ...entries })

const counts = { done: count, total: count, label: v.optional(text) }
const agent = { agent: id, ok: v.optional(flag) }
const tool = { call: id, tool: id, agent: v.optional(id), ok: v.optional(flag) }
const ending = { error: v.optional(text) }

/** One schema per sequenced event type: the codec picks by `type` first, then validates only that shape. */
export const eventSchemas = {
  run_started: event('run_started', { plan: planSchema, title: v.optional(text) }),
  plan_updated: event('plan_updated', { plan: planSchema }),
  queued: event('queued', { position: count, etaMs: v.optional(weight) }),
  phase_started: event('phase_started', { phase: id, tasks: v.optional(count) }),
  phase_progress: refine(event('phase_progress', { phase: id, ...counts }), doneTotal, 'done > total'),
  task_progress: refine(
    event('task_progress', { phase: id, task: id, ...counts }),
    doneTotal,
    'done > total',
  ),
  phase_completed: event('phase_completed', { phase: id }),
  phase_skipped: event('phase_skipped', { phase: id }),
  phase_failed: event('phase_failed', { phase: id, error: text }),
  agent_started: event('agent_started', agent),
  agent_completed: event('agent_completed', agent),
  agent_thinking: event('agent_thinking', { agent: id, text }),
  tool_executing: event('tool_executing', tool),
  tool_completed: event('tool_completed', tool),
  run_completed: event('run_completed', ending),
  run_failed: event('run_failed', ending),
  run_cancelled: event('run_cancelled', ending),
  snapshot: event('snapshot', { state: runStateSchema }),
} as const

// Decision 10: a run with nothing issued has no epoch yet (`head` 0); once anything is issued the epoch is required.
/* @__NO_SIDE_EFFECTS__ */
const runHead = <T extends string, E extends v.ObjectEntries>(type: T, entries: E) =>
  refine(
    v.object({
      v: versionSchema,
      type: oneOf(type),
      run: runIdSchema,
      epoch: v.optional(epochSchema),
      head: count,
      ...entries,
    }),
    (frame) => frame.head === 0 || frame.epoch !== undefined,
    'epoch required when head > 0',
  )

/** Unsequenced server → client frames: liveness, the subscribe acknowledgement (v1.1) and errors. */
export const controlSchemas = {
  // v1.1 `idle`: ms since the run's last sequenced event, by the server's clock (a silent producer, not a silent link).
  heartbeat: runHead('heartbeat', { ts: finite, idle: v.optional(count) }),
  subscribed: runHead('subscribed', { heartbeatMs: period }),
  error: v.object({
    v: versionSchema,
    type: oneOf('error'),
    code: epoch,
    message: text,
    run: v.optional(runIdSchema),
  }),
} as const

export const clientSchemas = {
  subscribe: v.object({
    v: versionSchema,
    type: oneOf('subscribe'),
    run: runIdSchema,
    epoch: v.optional(epochSchema),
    after: v.optional(count),
  }),
  resync: v.object({
    v: versionSchema,
    type: oneOf('resync'),
    run: runIdSchema,
    epoch: epochSchema,
    after: count,
  }),
  unsubscribe: v.object({ v: versionSchema, type: oneOf('unsubscribe'), run: runIdSchema }),
} as const
