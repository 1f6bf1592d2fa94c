import * as v from 'valibot'
import { applyEvent, type ReducerLimits } from '../core/applyEvent'
import { encodeFrame, overBytes } from '../protocol/codec'
import { eventSchemas } from '../protocol/schemas'
import { type EventBody, MAX_FRAME_BYTES, type RunEvent, type RunState } from '../protocol/types'
import type { LogEntry } from './createEventLog'
import type { createSnapshotBudget } from './createSnapshotBudget'
import { PublishError } from './PublishError'

type RunEventType = RunEvent['type']
/** An event as a producer supplies it: its `type` and fields, without the envelope. */
export type EventInput = { [K in RunEventType]: EventBody<K> }[RunEventType]

/** Where a run stands when a batch is staged. */
export interface StagingRun {
  id: string
  epoch: string
  head: number
  state: RunState
  limits: ReducerLimits
  budget: ReturnType<typeof createSnapshotBudget>
}

/** The envelope an input is stamped with. */
interface Envelope {
  run: string
  epoch: string
  seq: number
  ts: number
}

/**
 * One input as a frame: its type known (never `snapshot`, never a prototype key), PROTOCOL's schema passed and
 * its encoding within 64 KiB. Throws the `PublishError` that refuses it.
 */
export function frameOf(input: EventInput, envelope: Envelope): { frame: RunEvent; text: string } {
  const id = envelope.run
  const type: unknown = (input as Partial<EventInput> | null)?.type
  if (typeof type !== 'string' || type === 'snapshot' || !Object.hasOwn(eventSchemas, type)) {
    throw new PublishError('invalid_event', id, String(type), 'unknown event type')
  }
  const parsed = v.safeParse(eventSchemas[input.type], { ...input, v: 1, ...envelope })
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = issue.path?.map((item) => String(item.key)).join('.')
    throw new PublishError('invalid_event', id, input.type, `${path ? `${path}: ` : ''}${issue.message}`)
  }
  const frame = parsed.output as RunEvent
  const text = encodeFrame(frame)
  if (overBytes(text, MAX_FRAME_BYTES)) {
    throw new PublishError('frame_too_large', id, input.type)
  }
  return { frame, text }
}

/** The widest envelope an event can get (a 64-char epoch, the largest seq and ts): sizes checked with it hold later. */
const widest = (run: string): Envelope => ({
  run,
  epoch: 'e'.repeat(64),
  seq: Number.MAX_SAFE_INTEGER,
  ts: Number.MAX_SAFE_INTEGER,
})

/**
 * Checks inputs without a run: each has a known type, passes the schema and fits a frame whatever its envelope.
 * Returns the index of the first bad one with its error, or null. Nothing is staged.
 */
export function checkInputs(
  runId: string,
  inputs: readonly EventInput[],
): { index: number; error: PublishError } | null {
  const envelope = widest(runId)
  for (let index = 0; index < inputs.length; index++) {
    try {
      frameOf(inputs[index]!, envelope)
    } catch (error) {
      return { index, error: error as PublishError }
    }
  }
  return null
}

/** What a staged batch adds to a run. */
export interface Staged {
  entries: LogEntry[]
  state: RunState
}

/** One event on top of `staged`: the next seq, the schema, the size and the phase rules. Throws its refusal. */
function stageOne(input: EventInput, run: StagingRun, staged: Staged, ts: number): void {
  const seq = run.head + staged.entries.length + 1
  const { frame, text } = frameOf(input, { run: run.id, epoch: run.epoch, seq, ts })
  const result = applyEvent(staged.state, frame, run.limits)
  if (result.rejected) throw new PublishError(result.rejected, run.id, input.type)
  staged.state = result.state
  staged.entries.push({ seq, frame, text })
}

/**
 * Turns a producer's inputs into the run's next log entries and state, each event stamped with the next seq,
 * checked against PROTOCOL's schema and size and the reducer's phase rules. All or nothing: the first refusal
 * throws the `PublishError` for the whole batch and nothing is changed.
 * @example
 * const { entries, state } = stageEvents([{ type: 'phase_started', phase: 'search' }], run, Date.now())
 */
export function stageEvents(inputs: readonly EventInput[], run: StagingRun, ts: number): Staged {
  const staged: Staged = { entries: [], state: run.state }
  for (const input of inputs) stageOne(input, run, staged, ts)
  const tooLarge = run.budget.check(
    run.epoch,
    staged.state,
    staged.entries.map((entry) => entry.text),
  )
  if (tooLarge) {
    throw new PublishError('state_too_large', run.id, staged.entries.at(-1)!.frame.type, tooLarge)
  }
  return staged
}

/**
 * Stages the longest acceptable prefix of `inputs`: events are staged one by one until the first refusal, which
 * is returned with its index instead of thrown (the events before it stand). The HTTP publish API's rule.
 * @example
 * const { entries, refused } = stagePrefix(inputs, run, Date.now())
 * if (refused) answer409(refused.index, refused.error.reason)
 */
export function stagePrefix(
  inputs: readonly EventInput[],
  run: StagingRun,
  ts: number,
): Staged & { refused?: { index: number; error: PublishError } } {
  const staged: Staged = { entries: [], state: run.state }
  for (let index = 0; index < inputs.length; index++) {
    const before = staged.state
    try {
      stageOne(inputs[index]!, run, staged, ts)
      const tooLarge = run.budget.check(run.epoch, staged.state, [staged.entries.at(-1)!.text])
      if (tooLarge) {
        staged.entries.pop()
        staged.state = before
        throw new PublishError('state_too_large', run.id, inputs[index]!.type, tooLarge)
      }
    } catch (error) {
      if (!(error instanceof PublishError)) throw error
      return { ...staged, refused: { index, error } }
    }
  }
  return staged
}
