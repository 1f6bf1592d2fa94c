import type { ServerFrame } from './types'

/**
 * Hand-written checks for the frames that make up almost all traffic (`phase_progress`, `task_progress`),
 * three times cheaper than the generic schema walk. They accept a subset of what `schemas.ts` accepts and
 * build the very object valibot would (known keys only, in schema order); anything they are unsure of
 * returns null and goes through valibot, which stays the authority and writes the error messages.
 */

const isId = (x: unknown): x is string => typeof x === 'string' && x.length >= 1 && x.length <= 128
const isEpoch = (x: unknown): x is string => typeof x === 'string' && x.length >= 1 && x.length <= 64
// Number.isSafeInteger is false for non-numbers, NaN and ±Infinity.
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0
const isSeq = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 1
const isTime = (x: unknown): x is number => Number.isFinite(x)
const isOptionalText = (x: unknown): x is string | undefined =>
  x === undefined || (typeof x === 'string' && x.length <= 4096)

/** A validated progress frame, or null when the schema has to decide. `frame.v` was already checked. */
export function fastDecode(frame: Record<string, unknown>, type: string): ServerFrame | null {
  if (type !== 'phase_progress' && type !== 'task_progress') return null
  const { run, epoch, seq, ts, phase, done, total, label } = frame
  if (!isId(run) || !isEpoch(epoch) || !isSeq(seq) || !isTime(ts) || !isId(phase)) return null
  if (!isCount(done) || !isCount(total) || done > total || !isOptionalText(label)) return null
  if (type === 'phase_progress') {
    return label === undefined
      ? { v: 1, run, epoch, seq, ts, type, phase, done, total }
      : { v: 1, run, epoch, seq, ts, type, phase, done, total, label }
  }
  const task = frame.task
  if (!isId(task)) return null
  return label === undefined
    ? { v: 1, run, epoch, seq, ts, type, phase, task, done, total }
    : { v: 1, run, epoch, seq, ts, type, phase, task, done, total, label }
}
