/**
 * PROTOCOL.md's scalar rules, written once: the valibot schemas wrap these predicates and the hot-path
 * decoder calls them directly, so the two cannot drift apart.
 */

const isString = (x: unknown, min: number, max: number): x is string =>
  typeof x === 'string' && x.length >= min && x.length <= max

/** Run, phase, task, call, tool and agent ids: 1–128 characters. */
export const isId = (x: unknown): x is string => isString(x, 1, 128)
/** Epochs and error codes: 1–64 characters. */
export const isEpoch = (x: unknown): x is string => isString(x, 1, 64)
/** Labels, titles, messages: at most 4096 characters. */
export const isText = (x: unknown): x is string => isString(x, 0, 4096)
// Number.isSafeInteger is false for non-numbers, NaN and ±Infinity.
export const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0
export const isSeq = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 1
// JSON.parse turns 1e400 into Infinity: every number on the wire must be finite.
export const isFiniteNumber = (x: unknown): x is number => Number.isFinite(x)
/** A period such as `heartbeatMs`: finite and above zero. */
export const isPeriod = (x: unknown): x is number => Number.isFinite(x) && (x as number) > 0
export const isWeight = (x: unknown): x is number => Number.isFinite(x) && (x as number) >= 0
