import { createRunState, isTerminal } from '../core/applyEvent'
import { encodeFrame } from '../protocol/codec'
import type { RunState } from '../protocol/types'
import { createAbandonWatch } from './createAbandonWatch'
import { createEventLog, type LogEntry } from './createEventLog'
import { createPersistWriter, type PersistWriter } from './createPersistWriter'
import { createSharedRun, type RunReplica, type SharedRun } from './createSharedRun'
import { createSnapshotBudget } from './createSnapshotBudget'
import { createUnwatchedSignals, type UnwatchedSignals } from './createUnwatchedSignals'
import { createViewerWaiters, type ViewerWaiters } from './createViewerWaiters'
import { errorFrameText } from './errorFrameText'
import type { HubCounters } from './hubMetrics'
import type { ResolvedHubOptions } from './hubOptions'
import { heartbeatText, subscribedText } from './livenessText'
import { PublishError } from './PublishError'
import { loadPersistedRun, type PersistedRun } from './persist'
import { type SnapshotFit, snapshotText } from './snapshotText'
import { type EventInput, type Staged, stageEvents, stagePrefix } from './stageEvents'

export type { EventInput }

/** What a replay reads: the run's log up to its head, or its snapshot once that part of the log is gone. */
export interface ReplaySource {
  readonly head: number
  /** Up to about `maxChars` of the log after `after` (at least one entry unless `after` is the head), or null. */
  read(after: number, maxChars: number): LogEntry[] | null
  /** The snapshot at the head (or `snapshot_unavailable`), counted as sent. */
  snapshotFrame(): string
}

/**
 * How a run answers a `subscribe`/`resync`; the subscriber carries it out: first the `subscribed` frame, then
 * by kind. `held`: nothing issued yet (with
 * the `unknown_run` error to send when a run of this id was forgotten); `current`: the client has the head;
 * `snapshot`: send `log.snapshotFrame()`, then live; `replay`: read `log` after `after`, then live.
 */
export type RunAnswer = { subscribed: string } & AnswerStep

/** What follows the `subscribed` frame (v1.1 addition A) in an answer. */
export type AnswerStep =
  | { kind: 'held'; text: string | null }
  | { kind: 'current' }
  | { kind: 'snapshot'; log: ReplaySource }
  | { kind: 'replay'; after: number; log: ReplaySource }

/** One connection's follow of one run. */
export interface RunSubscriber {
  /** A live event, in seq order, as soon as it is logged. */
  event(entry: LogEntry): void
  /** The answer to the latest request: at once, or once a persisted run has loaded. */
  answer(answer: RunAnswer): void
}

/** What a connection follows: a run record, or an id held for a producer that has not started it. */
export interface FollowedRun {
  readonly id: string
  /** Nobody publishes it yet: what the hub caps (`maxHeldRuns`, `maxHeldPerConnection`). */
  readonly held: boolean
  subscribe(subscriber: RunSubscriber, request: SubscribeRequest): void
  unsubscribe(subscriber: RunSubscriber): void
  heartbeatText(ts: number): string | null
}

/** What a `subscribe`/`resync` asked for. */
export interface SubscribeRequest {
  epoch?: string | undefined
  after?: number | undefined
}

export interface RunRecordContext {
  options: ResolvedHubOptions<never>
  counters: HubCounters
  isClosed(): boolean
  /** The hub forgot a run of this id (retention ran out): a subscribe is told `unknown_run`. */
  isForgotten(id: string): boolean
  /** The run has nothing left to keep it: take it out of the registry. */
  remove(record: RunRecord): void
}

export type RunRecord = ReturnType<typeof createRunRecord>

/** What `publishPrefix` did: the run's epoch and head after it, the events applied, and the refusal if any. */
export interface PrefixResult {
  epoch: string
  seq: number
  applied: number
  refused?: { index: number; error: PublishError }
  /** With a shared store: the batch's idempotency key was used before; nothing was appended, `seq` is that batch's. */
  replayed?: boolean
}

/** How a producer marks a batch, so a retry through any instance sharing the store appends it once. */
export interface PublishOptions {
  idempotencyKey?: string
  /** How long the key is remembered, ms (default 24 h). */
  idempotencyMs?: number
}

const noop = () => {}

/** The types of a batch, as a refusal names them (`run_started+phase_started`). */
const typesOf = (inputs: readonly EventInput[]) => inputs.map((input) => String(input?.type)).join('+')

/** Appends refused because other instances moved the run on, before a publish gives up (`store_unavailable`). */
const SHARED_ATTEMPTS = 32

/**
 * One run in the hub: its state (built by the shared reducer), log, epoch, head seq, subscribers and the
 * queue that serialises every mutation. Live events reach subscribers synchronously inside a commit; a
 * subscriber still catching up ignores them and reads them from the log (`read`), so a replay or snapshot
 * always precedes the live events that follow it on a connection.
 */
export function createRunRecord(id: string, ctx: RunRecordContext) {
  const { options, counters } = ctx
  let epoch = options.epoch()
  let head = 0
  // Server time of the last sequenced event (heartbeat `idle`); null when unknown.
  let lastEventAt: number | null = null
  let state: RunState = createRunState()
  let log = createEventLog(options.logLimit)
  let ready = !options.persist && !options.store
  let owned = false
  let disposed = false
  let closing = false
  let cachedSnapshot: { text: string; fit: SnapshotFit } | null = null
  let retainTimer: unknown
  let queued = 0
  // A subscriber maps to its request while the run is still loading, to null once it is live.
  const subscribers = new Map<RunSubscriber, SubscribeRequest | null>()
  // Made on the first `firstSubscriber` call: most runs never have a producer waiting for a viewer.
  let viewers: ViewerWaiters | null = null
  const waiters = () =>
    (viewers ??= createViewerWaiters({
      setTimeout: options.setTimeout,
      clearTimeout: options.clearTimeout,
      settled: () => watch.arm(),
    }))
  const writer: PersistWriter | null = options.persist
    ? createPersistWriter({
        save: () => options.persist!.save(id, persisted()),
        periodMs: options.persistMs,
        setTimeout: options.setTimeout,
        clearTimeout: options.clearTimeout,
        onError: (error) => reportError(error, 'persist.save'),
      })
    : null
  const budget = createSnapshotBudget(id)
  // Made on the first `unwatched()`, like the waiters: most runs never ask.
  let unwatched: UnwatchedSignals | null = null
  // Abandonable: started and not ended, and nobody follows it or waits for a viewer. With a shared store only
  // the instance that publishes it may judge it abandoned.
  const idle = () =>
    !disposed &&
    ready &&
    (!options.store || owned) &&
    subscribers.size === 0 &&
    (viewers?.size ?? 0) === 0 &&
    state.status === 'running'
  const watch = createAbandonWatch({
    abandonMs: options.abandonMs,
    now: options.now,
    setTimeout: options.setTimeout,
    clearTimeout: options.clearTimeout,
    idle,
    abandoned: abandon,
  })

  // Set below, once the record it mirrors into exists.
  let shared: SharedRun | null = null

  let tail: Promise<unknown> = options.persist ? load() : Promise.resolve()

  function reportError(error: unknown, context: string) {
    counters.persistErrors++
    try {
      options.onError(error, `${context} ${id}`)
    } catch {}
  }

  function persisted(): PersistedRun {
    const tail = log.tail(options.persistLogLimit).map((entry) => entry.frame)
    return { epoch, seq: head, state, log: tail, sealed: closing || isTerminal(state.status) }
  }

  async function load() {
    const saved = await loadPersistedRun(options.persist!, id, reportError)
    if (saved) {
      head = saved.seq
      state = saved.state
      // Unsealed: the hub went down mid-run and may have sent events after `seq`; the new epoch made at creation
      // stands, and its clients start from a snapshot of this state.
      if (saved.sealed === true || isTerminal(saved.state.status)) {
        epoch = saved.epoch
        for (const frame of saved.log.slice(-options.logLimit))
          log.append({ seq: frame.seq, frame, text: encodeFrame(frame) })
      }
      lastEventAt = saved.log.at(-1)?.ts ?? null
      budget.measure(epoch, state)
      if (isTerminal(state.status)) unwatched?.dispose()
    }
    becomeReady()
  }

  // Subscribers that asked while the run loaded (or was checked against the store) get their answers now.
  // With a shared store, one asking beyond our head in our epoch waits for `verify` first (`verified`: done).
  function answerPending(verified = false) {
    let verifying = 0
    for (const [subscriber, request] of subscribers) {
      if (!request) continue
      if (!verified && isBeyond(request)) verifying = Math.max(verifying, request.after!)
      else {
        subscribers.set(subscriber, null)
        subscriber.answer(plan(request))
      }
    }
    if (verifying > 0) verify(verifying)
  }

  // Beyond our head in our epoch: this copy lags the store, or the store lost a tail the client saw.
  const isBeyond = (request: SubscribeRequest) =>
    shared !== null && request.epoch === epoch && (request.after ?? 0) > head

  function verify(after: number) {
    void serial(async () => {
      await shared!.verify(after).catch((error: unknown) => reportError(error, 'store.verify'))
      answerPending(true)
    })
  }

  async function open() {
    await shared!.open()
    becomeReady()
  }

  // Loaded (from `persist` or the shared store): answer who asked meanwhile, then judge idleness.
  function becomeReady() {
    ready = true
    answerPending()
    checkIdle()
    watch.arm()
  }

  function snapshot() {
    cachedSnapshot ??= snapshotText(id, epoch, head, options.now(), state)
    return cachedSnapshot
  }

  // v1.1: the acknowledgement comes first, so a run with nothing issued reads as waiting, not silent.
  function plan(request: SubscribeRequest): RunAnswer {
    return { subscribed: subscribedText({ run: id, epoch, head }, options.heartbeatMs), ...step(request) }
  }

  // A replay costlier than a snapshot becomes the snapshot: a client far behind, or one asking for the whole log
  // again and again, costs the hub one frame of at most 64 KiB. One that fits a replay chunk is sent whatever the
  // snapshot's size: it costs one step like the snapshot, and keeps every activity entry.
  function step(request: SubscribeRequest): AnswerStep {
    // Nothing issued yet: the subscriber is held and gets seq 1 onwards live. If a run of this id was forgotten,
    // it is told so (a bar of an unstarted run would wait forever), and still held in case the id is reused.
    if (head === 0) {
      if (owned || !ctx.isForgotten(id)) return { kind: 'held', text: null }
      counters.unknownRuns++
      return {
        kind: 'held',
        text: errorFrameText('unknown_run', 'no such run (it ended and was forgotten)', id),
      }
    }
    const after = request.after
    if (request.epoch === epoch && after !== undefined && after <= head && after >= head - log.size) {
      const chars = after === head ? 0 : log.charsSince(after)
      if (
        chars !== null &&
        (chars <= options.replayChunkBytes ||
          chars <= snapshot().text.length ||
          snapshot().fit === 'unavailable')
      ) {
        counters.replays++
        return chars === 0 ? { kind: 'current' } : { kind: 'replay', after, log: record }
      }
    }
    return { kind: 'snapshot', log: record }
  }

  function commit(inputs: readonly EventInput[]): number | Promise<number> {
    const stage = (ts: number) => stageEvents(inputs, stagingRun(), ts)
    return shared ? applyShared(inputs, stage).then((done) => done.head) : apply(inputs, stage).head
  }

  function stagingRun() {
    return { id, epoch, head, state, limits: options.limits, budget }
  }

  /** Runs `stage` (which throws or reports refusals), counting a refusal; a closed hub refuses everything. */
  function staging<S extends Staged>(inputs: readonly EventInput[], stage: (ts: number) => S, ts: number): S {
    try {
      if (ctx.isClosed()) {
        throw new PublishError('hub_closed', id, typesOf(inputs))
      }
      return stage(ts)
    } catch (error) {
      counters.rejected++
      throw error
    }
  }

  /** Stages through `stage`, then logs, sends and persists what it staged. */
  function apply<S extends Staged>(inputs: readonly EventInput[], stage: (ts: number) => S) {
    const ts = options.now()
    const staged = staging(inputs, stage, ts)
    if (staged.entries.length > 0) accept(staged.entries, staged.state, ts)
    return { head, staged }
  }

  /**
   * `apply` through the shared store: the append succeeds only at the epoch and head it was staged against;
   * otherwise this record catches up with the store and stages again.
   */
  async function applyShared<S extends Staged>(
    inputs: readonly EventInput[],
    stage: (ts: number) => S,
    publishOptions?: PublishOptions,
  ): Promise<{ head: number; staged: S; epoch: string; replayed?: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const ts = options.now()
      const staged = staging(inputs, stage, ts)
      if (staged.entries.length === 0) return { head, staged, epoch }
      let result: Awaited<ReturnType<SharedRun['append']>>
      try {
        result = await shared!.append(staged.entries, staged.state, ts, publishOptions)
        if (!result.ok && attempt < SHARED_ATTEMPTS) await shared!.sync(result)
      } catch (error) {
        reportError(error, 'store.append')
        counters.rejected++
        throw new PublishError('store_unavailable', id, typesOf(inputs), (error as Error)?.message)
      }
      // Appended before (a retry of a batch whose answer was lost): its events reach this copy from the store.
      if (result.ok && result.replayed) {
        const none = { ...staged, entries: [], refused: undefined }
        return { head: result.head, staged: none, epoch: result.epoch, replayed: true }
      }
      if (result.ok) {
        accept(staged.entries, staged.state, ts)
        return { head, staged, epoch }
      }
      if (attempt >= SHARED_ATTEMPTS) {
        counters.rejected++
        throw new PublishError(
          'store_unavailable',
          id,
          typesOf(inputs),
          `the run moved on ${attempt + 1} times`,
        )
      }
      // Two instances racing on one run: a random pause lets one of them through.
      if (attempt >= 2)
        await new Promise<void>((resolve) => options.setTimeout(() => resolve(), Math.random() * attempt))
    }
  }

  /** Logs entries that follow the head, sends them to live subscribers and persists them. */
  function accept(entries: LogEntry[], next: RunState, ts: number) {
    state = next
    head += entries.length
    lastEventAt = ts
    cachedSnapshot = null
    counters.events += entries.length
    // A slow subscriber may be closed (and leave) while we loop: iterate a copy.
    const live = [...subscribers].filter(([, request]) => request === null).map(([subscriber]) => subscriber)
    for (const entry of entries) {
      log.append(entry)
      for (const subscriber of live) subscriber.event(entry)
    }
    writer?.mark()
    watch.touched(ts)
    if (isTerminal(state.status)) {
      void writer?.flush()
      unwatched?.dispose()
      checkIdle()
    }
  }

  function checkIdle() {
    if (subscribers.size > 0 || !ready || disposed) return
    // A run in a shared store needs no copy here once nobody here follows or publishes it.
    if (shared && !owned) ctx.remove(record)
    else if (isTerminal(state.status)) {
      retainTimer ??= options.setTimeout(() => ctx.remove(record), options.retainMs)
    } else if (head === 0 && !owned) ctx.remove(record)
  }

  // The producer is gone or silent and nobody watches: end the run truthfully so it can be retained and forgotten.
  function abandon() {
    const result = serial(() => {
      if (!idle() || watch.quietFor() < options.abandonMs) return watch.arm()
      counters.abandoned++
      const seconds = Math.round(watch.quietFor() / 1000)
      return commit([
        { type: 'run_failed', error: `abandoned: no event for ${seconds} s and nobody following` },
      ])
    })
    result.catch((error: unknown) => reportError(error, 'abandon'))
  }

  // Every mutation waits its turn on `tail`; a producer that never awaits would queue without bound, so past
  // `maxQueuedPublishes` waiting calls its calls are refused.
  function enqueue<T>(inputs: readonly EventInput[], mutate: () => T | Promise<T>): Promise<T> {
    if (queued >= options.maxQueuedPublishes) {
      counters.rejected++
      return Promise.reject(
        new PublishError('overloaded', id, typesOf(inputs), `${queued} calls already waiting`),
      )
    }
    queued++
    return serial(() => {
      queued--
      return mutate()
    })
  }

  /** Runs `fn` once every mutation queued before it is done; the queue goes on whether it settles or throws. */
  function serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const result = tail.then(fn)
    tail = result.then(noop, noop)
    return result
  }

  function cancelRetain() {
    if (retainTimer !== undefined) options.clearTimeout(retainTimer)
    retainTimer = undefined
  }

  const record = {
    id,
    get epoch() {
      return epoch
    },
    get head() {
      return head
    },
    get state() {
      return state
    },
    get subscriberCount() {
      return subscribers.size
    },
    /** Applies `inputs` as one atomic step with consecutive seqs; resolves with the last seq. */
    publish(inputs: readonly EventInput[]): Promise<number> {
      return enqueue(inputs, () => commit(inputs))
    },
    /**
     * Applies the longest acceptable prefix of `inputs` (the HTTP publish API's rule): the events before the first
     * refusal are logged and sent, none after it. Resolves with the head and epoch after it, how many were applied
     * and the refusal with its index; rejects only when nothing could be tried (a closed hub).
     */
    publishPrefix(inputs: readonly EventInput[], publishOptions?: PublishOptions): Promise<PrefixResult> {
      const stage = (ts: number) => stagePrefix(inputs, stagingRun(), ts)
      type Done = ReturnType<typeof apply<ReturnType<typeof stage>>> & { epoch?: string; replayed?: boolean }
      const finish = ({ head: last, staged, ...done }: Done) => {
        if (staged.refused) counters.rejected++
        const out: PrefixResult = { epoch: done.epoch ?? epoch, seq: last, applied: staged.entries.length }
        if (staged.refused) out.refused = staged.refused
        if (done.replayed) out.replayed = true
        return out
      }
      return enqueue(inputs, () =>
        shared ? applyShared(inputs, stage, publishOptions).then(finish) : finish(apply(inputs, stage)),
      )
    },
    subscribe(subscriber: RunSubscriber, request: SubscribeRequest) {
      cancelRetain()
      const beyond = ready && isBeyond(request)
      subscribers.set(subscriber, ready && !beyond ? null : request)
      unwatched?.viewers(subscribers.size)
      if (beyond) verify(request.after!)
      else if (ready) subscriber.answer(plan(request))
      viewers?.seen()
    },
    /** See `ReplaySource`: `null` when that part of the log is gone (the reader sends `snapshotFrame()`). */
    read(after: number, maxChars: number): LogEntry[] | null {
      if (after === head) return []
      if (after > head || after < head - log.size) return null
      return log.read(after, maxChars)
    },
    snapshotFrame(): string {
      const made = snapshot()
      if (made.fit === 'unavailable') counters.snapshotsUnavailable++
      else {
        counters.snapshotsSent++
        if (made.fit === 'trimmed') counters.snapshotsTrimmed++
      }
      return made.text
    },
    /** Only subscribed to, nobody publishes it yet (a record held while a persisted run loads). */
    get held() {
      return head === 0 && !owned
    },
    /** Takes over a subscriber that was held for this id before a producer claimed it: nothing to send yet. */
    adopt(subscriber: RunSubscriber) {
      cancelRetain()
      subscribers.set(subscriber, ready ? null : {})
      unwatched?.viewers(subscribers.size)
      viewers?.seen()
    },
    unsubscribe(subscriber: RunSubscriber) {
      if (!subscribers.delete(subscriber)) return
      unwatched?.viewers(subscribers.size)
      checkIdle()
      watch.arm()
    },
    /** Also for a run with nothing issued yet (head 0, no epoch): its followers see a live link, not silence. */
    heartbeatText(ts: number): string | null {
      return ready ? heartbeatText({ run: id, epoch, head }, ts, lastEventAt) : null
    },
    /** A producer holds this run: keep it even before its first event. */
    claim() {
      owned = true
    },
    /** Aborts once the run has had no viewer for `afterMs`; never once the run ended. */
    unwatched(afterMs: number): AbortSignal {
      // Nothing left to cancel: a signal that never aborts.
      if (disposed || isTerminal(state.status)) return new AbortController().signal
      unwatched ??= createUnwatchedSignals({
        setTimeout: options.setTimeout,
        clearTimeout: options.clearTimeout,
        viewers: () => subscribers.size,
      })
      return unwatched.signal(afterMs)
    },
    firstSubscriber(timeoutMs?: number): Promise<boolean> {
      if (subscribers.size > 0) return Promise.resolve(true)
      if (disposed) return Promise.resolve(false)
      return waiters().wait(timeoutMs)
    },
    /** The hub is closing: writes the state now, sealed (no-op without persistence or events). */
    flush(): Promise<void> {
      return tail.then(() => {
        if (!writer || head === 0) return
        closing = true
        writer.mark()
        return writer.flush()
      })
    },
    /** The newest logged entry (a shared store's mirror tells a lost tail from a lag by it). */
    last: (): LogEntry | undefined => log.tail(1)[0],
    /** Logs entries a shared store numbered (seqs head + 1 …) with the state after them, and sends them. */
    ingest(entries: LogEntry[], next: RunState, ts: number | null) {
      accept(entries, next, ts ?? options.now())
    },
    /** Takes the shared store's position (another epoch, a trimmed gap, a lost tail); live subscribers get a snapshot. */
    reset(position: Parameters<RunReplica['reset']>[0]) {
      epoch = position.epoch
      head = position.head
      state = position.state
      lastEventAt = position.ts
      cachedSnapshot = null
      log = createEventLog(options.logLimit)
      for (const entry of position.log) log.append(entry)
      budget.measure(epoch, state)
      if (!ready) return
      // Live subscribers were following another position: the acknowledgement and a snapshot move them over.
      for (const [subscriber, request] of subscribers) if (request === null) subscriber.answer(plan({}))
      if (isTerminal(state.status)) checkIdle()
    },
    /** Runs `fn` after every mutation queued before it (not counted against `maxQueuedPublishes`). */
    serial: (fn: () => Promise<void> | void): Promise<void> => serial(fn),
    dispose() {
      if (disposed) return
      disposed = true
      shared?.close()
      cancelRetain()
      watch.dispose()
      subscribers.clear()
      viewers?.dispose()
      unwatched?.dispose()
      if (writer) void writer.flush().finally(writer.dispose)
    },
  }
  if (options.store) {
    shared = createSharedRun(id, record, {
      store: options.store,
      counters,
      limits: options.limits,
      logLimit: options.logLimit,
      checkMs: options.heartbeatMs,
      epoch: options.epoch,
      setTimeout: options.setTimeout,
      clearTimeout: options.clearTimeout,
      report: reportError,
    })
    tail = open()
  }
  return record satisfies RunReplica
}
