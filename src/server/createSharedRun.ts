import type { ReducerLimits } from '../core/applyEvent'
import { applyEvent } from '../core/applyEvent'
import type { RunEvent, RunState } from '../protocol/types'
import type { LogEntry } from './createEventLog'
import type { HubCounters } from './hubMetrics'
import type { HubStore, StoreAppendResult, StoredHead, StoreMessage } from './hubStore'

/** What a shared run needs of its record: the position it mirrors and the two ways to move it. */
export interface RunReplica {
  readonly epoch: string
  readonly head: number
  readonly state: RunState
  /** The newest logged entry, if any (to tell a lost tail from a lagging mirror). */
  last(): LogEntry | undefined
  /** Appends entries numbered by the store (seqs head + 1 …) with the state after them; sent live. */
  ingest(entries: LogEntry[], state: RunState, ts: number | null): void
  /** Takes another position (epoch change, trimmed gap, lost tail): the log restarts, live subscribers get a snapshot. */
  reset(position: { epoch: string; head: number; state: RunState; ts: number | null; log: LogEntry[] }): void
  /** Runs `fn` on the record's queue, after every mutation before it. */
  serial(fn: () => Promise<void> | void): Promise<void>
}

export interface SharedRunOptions {
  store: HubStore
  counters: HubCounters
  limits: ReducerLimits
  /** Events loaded from the store when the run is first followed here. */
  logLimit: number
  /** How often the head in the store is checked while the run is followed here, ms. */
  checkMs: number
  epoch: () => string
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
  report(error: unknown, context: string): void
}

/** Reads stored texts into log entries from `from` on, stopping at the first that is not the next seq. */
function entriesOf(texts: readonly string[], from: number): LogEntry[] {
  const out: LogEntry[] = []
  for (const text of texts) {
    const frame = JSON.parse(text) as RunEvent
    if (frame.seq !== from + out.length) break
    out.push({ seq: frame.seq, frame, text })
  }
  return out
}

/**
 * Keeps one hub's record of a run in step with a shared store: follows the run's fan-out channel, loads the
 * position once listening (messages meanwhile are queued, then merged by seq), fills a gap from the log, checks
 * the head every `checkMs` and after a reconnect, and rotates the epoch when the store lost a tail. Appends are
 * conditional on the epoch and head this record staged against; `sync` brings it to the store's position after
 * a refusal.
 */
export function createSharedRun(runId: string, replica: RunReplica, options: SharedRunOptions) {
  const { store } = options
  let stopFollowing: (() => void) | null = null
  let stopReconnect: (() => void) | null = null
  let timer: unknown
  let closed = false
  // The store has no record of the run: the next append creates it at this record's epoch and head.
  let missing = true
  // The first load is the run's opening, not a reload.
  let opened = false

  const later = (ms: number) => new Promise<void>((resolve) => options.setTimeout(resolve, ms))

  /** Applies events from the store; false when the reducer refuses one (a writer that skipped the rules). */
  function apply(entries: LogEntry[]): boolean {
    let state = replica.state
    for (const entry of entries) {
      const result = applyEvent(state, entry.frame, options.limits)
      if (result.rejected) {
        options.report(new Error(`stored event ${entry.seq} refused: ${result.rejected}`), 'store.apply')
        return false
      }
      state = result.state
    }
    if (entries.length > 0) replica.ingest(entries, state, entries.at(-1)!.frame.ts)
    return true
  }

  async function reload() {
    const stored = await store.load(runId, options.logLimit)
    if (!stored) return
    missing = false
    // A late message of an epoch already left behind: nothing moved, and viewers need no second snapshot.
    if (opened && stored.epoch === replica.epoch && stored.head === replica.head) return
    if (opened) options.counters.storeReloads++
    const log = entriesOf(stored.log, stored.head - stored.log.length + 1)
    replica.reset({ ...stored, log: log.length === stored.log.length ? log : [] })
  }

  // Events after the head from the store's log; a log trimmed past the head leaves only a snapshot to take.
  async function fill(to: number) {
    while (!closed && replica.head < to) {
      const from = replica.head + 1
      const entries = entriesOf(await store.read(runId, replica.head, 512), from)
      if (entries.length === 0) return reload()
      options.counters.storeFilled += entries.length
      // The store's state at its head is what the log adds up to: take it whole rather than stop here.
      if (!apply(entries)) return reload()
    }
  }

  async function merge(message: StoreMessage) {
    if (message.epoch !== replica.epoch) {
      // The run's first events, published on another instance: take its epoch and go on live.
      if (replica.head === 0 && missing && message.first === 1) {
        missing = false
        replica.reset({ epoch: message.epoch, head: 0, state: replica.state, ts: null, log: [] })
      } else return reload()
    }
    const last = message.first + message.texts.length - 1
    if (message.texts.length === 0 || last <= replica.head) return
    if (message.first > replica.head + 1) return fill(last)
    if (!apply(entriesOf(message.texts.slice(replica.head + 1 - message.first), replica.head + 1)))
      return reload()
  }

  /** Brings the record to the store's `position` (an append's refusal or a head check). */
  async function sync(position: StoredHead | null | undefined): Promise<void> {
    if (!position) {
      // The store lost the run (no persistence, FLUSHALL): this record's state goes on under a new epoch.
      if (replica.head > 0 && !missing) {
        missing = true
        replica.reset({ epoch: options.epoch(), head: replica.head, state: replica.state, ts: null, log: [] })
      }
      return
    }
    missing = false
    if (position.epoch !== replica.epoch) return reload()
    if (position.head < replica.head) return lostTail()
    const mine = replica.last()
    if (mine && position.head >= mine.seq) {
      // Same epoch and a head at least ours: the event at our head must be the one we have.
      const [theirs] = await store.read(runId, mine.seq - 1, 1)
      if (theirs !== undefined && theirs !== mine.text) return lostTail()
    }
    if (position.head > replica.head) return fill(position.head)
  }

  // The store rolled back under the same epoch (a failover, a restart from an older save): seqs would repeat.
  async function lostTail(): Promise<void> {
    const now = await store.rotate(runId, replica.epoch, options.epoch())
    if (now === null) return sync(undefined)
    options.counters.epochRotations++
    await reload()
  }

  async function check() {
    try {
      const position = await store.head(runId)
      // A run gone from the store is taken up again by the instance that publishes it next (`append`), not here.
      if (position) await sync(position)
    } catch (error) {
      options.report(error, 'store.check')
    }
  }

  function schedule() {
    if (closed || options.checkMs <= 0) return
    timer = options.setTimeout(() => {
      timer = undefined
      void replica.serial(check).finally(schedule)
    }, options.checkMs)
  }

  const onMessage = (message: StoreMessage) => {
    void replica.serial(() => merge(message)).catch((error: unknown) => options.report(error, 'store.merge'))
  }

  return {
    /**
     * Starts following (retrying while the store is unreachable), then loads the position. Messages that arrive
     * before the load are queued behind it on the record's queue.
     */
    async open(): Promise<void> {
      for (let attempt = 0; !closed; attempt++) {
        try {
          stopFollowing ??= await store.follow(runId, onMessage)
          await reload()
          break
        } catch (error) {
          options.report(error, 'store.open')
          await later(Math.min(options.checkMs || 1000, 250 * 2 ** attempt))
        }
      }
      opened = true
      if (closed) return void stopFollowing?.()
      stopReconnect = store.onReconnect(() => void replica.serial(check))
      schedule()
    },
    /** The run was not in the store when loaded, or the store lost it. */
    get missing() {
      return missing
    },
    /** Appends staged entries, conditional on the record's epoch and head. */
    async append(
      entries: LogEntry[],
      state: RunState,
      ts: number,
      key?: { idempotencyKey?: string; idempotencyMs?: number },
    ): Promise<StoreAppendResult> {
      const result = await store.append(runId, {
        epoch: replica.epoch,
        after: replica.head,
        create: missing,
        texts: entries.map((entry) => entry.text),
        state,
        ts,
        idempotencyKey: key?.idempotencyKey,
        idempotencyMs: key?.idempotencyMs,
      })
      if (result.ok) missing = false
      else options.counters.storeConflicts++
      return result
    },
    sync: (result: StoreAppendResult & { ok: false }) =>
      sync(result.epoch === null ? undefined : { epoch: result.epoch, head: result.head }),
    /** A client resumes beyond our head in our epoch: either we lag, or the store lost a tail it saw. */
    async verify(after: number): Promise<void> {
      const position = await store.head(runId)
      if (!position) return
      await sync(position)
      if (position.epoch === replica.epoch && position.head < after) await lostTail()
    },
    close() {
      closed = true
      if (timer !== undefined) options.clearTimeout(timer)
      timer = undefined
      stopFollowing?.()
      stopReconnect?.()
      stopFollowing = stopReconnect = null
    },
  }
}

export type SharedRun = ReturnType<typeof createSharedRun>
