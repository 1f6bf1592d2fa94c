import * as v from 'valibot'
import { applyEvent, type ReducerLimits } from '../core/applyEvent'
import { encodeFrame, utf8Length } from '../protocol/codec'
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

/**
 * Turns a producer's inputs into the run's next log entries and state, each event stamped with the next seq,
 * checked against PROTOCOL's schema and size and the reducer's phase rules. All or nothing: the first refusal
 * throws the `PublishError` for the whole batch and nothing is changed.
 * @example
 * const { entries, state } = stageEvents([{ type: 'phase_started', phase: 'search' }], run, Date.now())
 */
export function stageEvents(
  inputs: readonly EventInput[],
  run: StagingRun,
  ts: number,
): { entries: LogEntry[]; state: RunState } {
  const { id, epoch } = run
  let next = run.state
  const entries: LogEntry[] = []
  for (const input of inputs) {
    const type: unknown = (input as Partial<EventInput> | null)?.type
    // Untyped callers: only step events (never `snapshot`, never a prototype key) reach the schemas.
    if (typeof type !== 'string' || type === 'snapshot' || !Object.hasOwn(eventSchemas, type)) {
      throw new PublishError('invalid_event', id, String(type), 'unknown event type')
    }
    const seq = run.head + entries.length + 1
    const parsed = v.safeParse(eventSchemas[input.type], { ...input, v: 1, run: id, epoch, seq, ts })
    if (!parsed.success) {
      const issue = parsed.issues[0]
      const path = issue.path?.map((item) => String(item.key)).join('.')
      throw new PublishError('invalid_event', id, input.type, `${path ? `${path}: ` : ''}${issue.message}`)
    }
    const frame = parsed.output as RunEvent
    const text = encodeFrame(frame)
    if (text.length * 3 > MAX_FRAME_BYTES && utf8Length(text) > MAX_FRAME_BYTES) {
      throw new PublishError('frame_too_large', id, input.type)
    }
    const result = applyEvent(next, frame, run.limits)
    if (result.rejected) throw new PublishError(result.rejected, id, input.type)
    next = result.state
    entries.push({ seq, frame, text })
  }
  const tooLarge = run.budget.check(
    epoch,
    next,
    entries.map((entry) => entry.text),
  )
  if (tooLarge) throw new PublishError('state_too_large', id, entries.at(-1)!.frame.type, tooLarge)
  return { entries, state: next }
}
