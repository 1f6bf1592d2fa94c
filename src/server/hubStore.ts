import type { RunState } from '../protocol/types'

/** A run's position in a shared store: the epoch of its log and the last seq issued in it. */
export interface StoredHead {
  epoch: string
  head: number
}

/** What a store holds of a run: its position, the state at the head, and the newest events' texts. */
export interface StoredRun extends StoredHead {
  state: RunState
  /** Server time of the newest event, ms; null when unknown. */
  ts: number | null
  /** Encoded events, oldest first, ending at `head` (at most the count asked for; may be empty). */
  log: string[]
}

/** One append, as the store must apply it: only if the run is still at `epoch`/`after`. */
export interface StoreAppend {
  epoch: string
  /** The head the events were staged after; the events carry seqs `after + 1 …`. */
  after: number
  /** The run has no record in the store: make one at `epoch`/`after` (a new run, or one the store lost). */
  create: boolean
  texts: readonly string[]
  /** The state after the events (what a snapshot at the new head carries). */
  state: RunState
  ts: number
  /** A producer's key for this batch: a second append under it appends nothing and answers the first's head. */
  idempotencyKey?: string | undefined
  /** How long the key is remembered, ms. */
  idempotencyMs?: number | undefined
}

/** `ok`: appended, at the new head. Otherwise the store's position (epoch null: it has no record of the run). */
export type StoreAppendResult =
  /** `replayed`: the idempotency key was used before; nothing was appended and `head` is that batch's. */
  | { ok: true; epoch: string; head: number; replayed?: boolean }
  | { ok: false; epoch: string | null; head: number }

/** What a store fans out to every instance following a run: events from `first` on, or an epoch change (no texts). */
export interface StoreMessage {
  epoch: string
  first: number
  texts: string[]
}

/**
 * The storage seam that lets several hubs serve one set of runs (Redis Streams: `createRedisStore`). Every
 * append is atomic and conditional on the run's epoch and head, so publishers on different instances are
 * numbered in one sequence; each instance follows the runs its viewers or producers use. Without a store the
 * hub keeps each run in its own memory.
 */
export interface HubStore {
  /** The run's position, state and up to `count` newest events; undefined when the store has no record of it. */
  load(runId: string, count: number): Promise<StoredRun | undefined>
  head(runId: string): Promise<StoredHead | undefined>
  /** Up to `count` encoded events with `seq > after`, oldest first (the caller checks they start at `after + 1`). */
  read(runId: string, after: number, count: number): Promise<string[]>
  append(runId: string, append: StoreAppend): Promise<StoreAppendResult>
  /** Replaces epoch `from` by `to` (compare-and-set) and drops its log; resolves with the epoch now in force. */
  rotate(runId: string, from: string, to: string): Promise<string | null>
  /** Delivers the run's messages to `listener` until the returned stop is called; resolves once listening. */
  follow(runId: string, listener: (message: StoreMessage) => void): Promise<() => void>
  /** Called after the store's connection came back: messages may have been lost meanwhile. */
  onReconnect(listener: () => void): () => void
}
