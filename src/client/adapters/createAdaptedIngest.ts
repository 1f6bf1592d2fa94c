import * as v from 'valibot'
import { overBytes } from '../../protocol/codec'
import { eventSchemas } from '../../protocol/schemas'
import type { SequencedFrame } from '../../protocol/types'
import type { RunTracker } from '../runTracker'
import type { Adapter } from './defineAdapter'

/** The fixed local epoch of unsequenced runs: their seqs are numbers of arrival, meaningful only here. */
export const UNSEQUENCED_EPOCH = 'local'

/** Why an adapted message or event was refused. Counted in `stats.byCode`, reported, never thrown. */
export type AdapterErrorCode =
  | 'too_large'
  | 'bad_encoding'
  | 'bad_json'
  | 'adapter_threw'
  | 'unknown_type'
  | 'invalid'
  | 'missing_seq'

export interface AdaptedIngestOptions {
  adapter: Adapter
  /** Number events by arrival in a local epoch, and drop identical messages within the window. */
  unordered: boolean
  maxFrameBytes: number
  /** Identical messages remembered for duplicate detection (unordered only). Default 256. */
  duplicateWindow?: number
  /** How long an identical message still counts as a duplicate, ms (unordered only). Default 60 s. */
  duplicateWindowMs?: number
}

/** What the store lends the adapted pipeline. */
export interface AdaptedIngestDeps {
  /** The run's tracker, or null when the run is not followed (and is not followed automatically). */
  tracker(run: string): RunTracker | null
  /** The store's path for a decoded frame: unknown runs, the tracker, rejections and actions. */
  feed(frame: SequencedFrame, now: number): void
  invalid(code: AdapterErrorCode, detail: string, run?: string): void
  /** A message the adapter mapped to nothing, or an identical one with nothing to count it on. */
  skipped(code: 'ignored' | 'duplicate'): void
}

export const ADAPTED_DEFAULTS = { duplicateWindow: 256, duplicateWindowMs: 60_000 } as const

/** Takes one foreign message (text, bytes or an object) at local time `now`. Never throws. */
export type AdaptedIngest = (data: unknown, now: number) => void

type Remembered = { at: number; first: SequencedFrame | null }
type Read =
  | { ok: true; message: unknown; key: string | null }
  | { ok: false; code: AdapterErrorCode; detail: string }

let utf8: TextDecoder | undefined

// Text and bytes are parsed as JSON (what a socket delivers); objects pass as they are (an SDK's callback).
function read(data: unknown, maxBytes: number): Read {
  let text: string
  if (typeof data === 'string') text = data
  else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    if (bytes.byteLength > maxBytes)
      return { ok: false, code: 'too_large', detail: `message exceeds ${maxBytes} bytes` }
    try {
      utf8 ??= new TextDecoder('utf-8', { fatal: true })
      text = utf8.decode(bytes)
    } catch {
      return { ok: false, code: 'bad_encoding', detail: 'message is not valid UTF-8' }
    }
  } else {
    let key: string | null = null
    try {
      key = JSON.stringify(data) ?? null
    } catch {
      // Cyclic or hostile objects still reach the adapter; they are just never deduplicated.
    }
    return { ok: true, message: data, key }
  }
  if (overBytes(text, maxBytes)) {
    return { ok: false, code: 'too_large', detail: `message exceeds ${maxBytes} bytes` }
  }
  try {
    return { ok: true, message: JSON.parse(text), key: text }
  } catch {
    return { ok: false, code: 'bad_json', detail: 'message is not valid JSON' }
  }
}

const describe = (issue: v.BaseIssue<unknown>, type: string) => {
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? ''
  return `${type}${path ? `.${path}` : ''}: ${issue.message}`.slice(0, 300)
}

/**
 * The store's pipeline for foreign messages: adapter → envelope (local seq in unsequenced mode) → the same
 * valibot schemas as the wire → the run's tracker (sequencer, phase rules, progress model).
 */
export function createAdaptedIngest(options: AdaptedIngestOptions, deps: AdaptedIngestDeps): AdaptedIngest {
  const recent = new Map<string, Remembered>()
  const duplicateWindow = options.duplicateWindow ?? ADAPTED_DEFAULTS.duplicateWindow
  const duplicateWindowMs = options.duplicateWindowMs ?? ADAPTED_DEFAULTS.duplicateWindowMs

  function remember(key: string, entry: Remembered, now: number) {
    recent.delete(key)
    recent.set(key, entry)
    // Oldest first: evict past the size cap, and whatever has aged out of the window.
    for (const [oldKey, old] of recent) {
      if (recent.size <= duplicateWindow && now - old.at <= duplicateWindowMs) break
      recent.delete(oldKey)
    }
  }

  function feed(frame: SequencedFrame, now: number) {
    const tracker = deps.tracker(frame.run)
    // Arrival order: the next local seq is always the sequencer's next, so nothing is ever held (a run
    // followed afresh starts again at 1).
    if (tracker && options.unordered) frame.seq = tracker.sequencer.position().applied + 1
    // A run nobody follows is counted as unknown on the store's path.
    deps.feed(frame, now)
    return tracker !== null
  }

  function refeed(frame: SequencedFrame, now: number) {
    const tracker = deps.tracker(frame.run)
    const applied = tracker?.sequencer.position().applied ?? 0
    // Only while its seq is still behind the run's (not after an unfollow and a fresh follow).
    if (tracker && frame.seq <= applied) deps.feed(frame, now)
    else deps.skipped('duplicate')
  }

  function envelope(raw: unknown, now: number): SequencedFrame | null {
    if (typeof raw !== 'object' || raw === null) {
      deps.invalid('invalid', 'adapted event must be an object')
      return null
    }
    const event = raw as Record<string, unknown>
    const type = event.type
    const run = typeof event.run === 'string' ? event.run : undefined
    if (typeof type !== 'string' || !Object.hasOwn(eventSchemas, type)) {
      deps.invalid('unknown_type', `unknown event type ${JSON.stringify(type)?.slice(0, 80)}`, run)
      return null
    }
    const frame: Record<string, unknown> = { ...event, v: 1, ts: event.ts ?? now }
    if (options.unordered) {
      // Placeholder for the schema; `feed` numbers it when it reaches the run.
      frame.epoch = UNSEQUENCED_EPOCH
      frame.seq = 1
    } else if (event.seq === undefined || event.epoch === undefined) {
      deps.invalid('missing_seq', `${type}: seq and epoch are required when unordered is false`, run)
      return null
    }
    const parsed = v.safeParse(eventSchemas[type as keyof typeof eventSchemas], frame, { abortEarly: true })
    if (!parsed.success) {
      deps.invalid('invalid', describe(parsed.issues[0], type), run)
      return null
    }
    return parsed.output as SequencedFrame
  }

  return function ingestAdapted(data: unknown, now: number) {
    const input = read(data, options.maxFrameBytes)
    if (!input.ok) return deps.invalid(input.code, input.detail)
    const key = options.unordered ? input.key : null
    if (key !== null) {
      const seen = recent.get(key)
      if (seen && now - seen.at <= duplicateWindowMs) {
        // Fed again with its old local seq, the sequencer drops it and counts it as a duplicate of its run.
        if (seen.first) refeed(seen.first, now)
        else deps.skipped('duplicate')
        return
      }
    }
    let adapted: unknown
    try {
      adapted = options.adapter(input.message)
    } catch (thrown) {
      return deps.invalid('adapter_threw', thrown instanceof Error ? thrown.message : String(thrown))
    }
    const list = adapted === null || adapted === undefined ? [] : Array.isArray(adapted) ? adapted : [adapted]
    let first: SequencedFrame | null = null
    for (const raw of list) {
      const frame = envelope(raw, now)
      if (frame && feed(frame, now)) first ??= frame
    }
    if (list.length === 0) deps.skipped('ignored')
    if (key !== null) remember(key, { at: now, first }, now)
  }
}
