import { createRunState, isTerminal } from '../core/applyEvent'
import { encodeFrame } from '../protocol/codec'
import type { RunState } from '../protocol/types'
import { createAbandonWatch } from './createAbandonWatch'
import { createEventLog } from './createEventLog'
import { createPersistWriter, type PersistWriter } from './createPersistWriter'
import { createSnapshotBudget } from './createSnapshotBudget'
import { createUnwatchedSignals } from './createUnwatchedSignals'
import { createViewerWaiters } from './createViewerWaiters'
import { errorFrameText } from './errorFrameText'
import type { HubCounters } from './hubMetrics'
import type { ResolvedHubOptions } from './hubOptions'
import { heartbeatText, subscribedText } from './livenessText'
import { PublishError } from './PublishError'
import { loadPersistedRun, type PersistedRun } from './persist'
import { type SnapshotFit, snapshotText } from './snapshotText'
import { type EventInput, type Staged, stageEvents, stagePrefix } from './stageEvents'

export type { EventInput }

/** Where a run's frames go: one per connection. */
export interface RunSubscriber {
  deliver(text: string): void
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
}

const noop = () => {}

/**
 * One run in the hub: its state (built by the shared reducer), log, epoch, head seq, subscribers and the
 * queue that serialises every mutation. All sends happen synchronously inside a commit or an answer, so a
 * replay or snapshot always precedes the live events that follow it on a connection.
 */
export function createRunRecord(id: string, ctx: RunRecordContext) {
  const { options, counters } = ctx
  let epoch = options.epoch()
  let head = 0
  // Server time of the last sequenced event (heartbeat `idle`); null when unknown.
  let lastEventAt: number | null = null
  let state: RunState = createRunState()
  const log = createEventLog(options.logLimit)
  let ready = !options.persist
  let owned = false
  let disposed = false
  let closing = false
  let cachedSnapshot: { text: string; fit: SnapshotFit } | null = null
  let retainTimer: unknown
  // A subscriber maps to its request while the run is still loading, to null once it is live.
  const subscribers = new Map<RunSubscriber, SubscribeRequest | null>()
  const viewers = createViewerWaiters({
    setTimeout: options.setTimeout,
    clearTimeout: options.clearTimeout,
    settled: () => watch.arm(),
  })
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
  const unwatched = createUnwatchedSignals({
    setTimeout: options.setTimeout,
    clearTimeout: options.clearTimeout,
    viewers: () => subscribers.size,
  })
  // Abandonable: started and not ended, and nobody follows it or waits for a viewer.
  const idle = () =>
    !disposed && ready && subscribers.size === 0 && viewers.size === 0 && state.status === 'running'
  const watch = createAbandonWatch({
    abandonMs: options.abandonMs,
    now: options.now,
    setTimeout: options.setTimeout,
    clearTimeout: options.clearTimeout,
    idle,
    abandoned: abandon,
  })

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
      if (isTerminal(state.status)) unwatched.dispose()
    }
    ready = true
    for (const [subscriber, request] of subscribers) {
      if (request) {
        subscribers.set(subscriber, null)
        answer(subscriber, request)
      }
    }
    checkIdle()
    watch.arm()
  }

  function answer(subscriber: RunSubscriber, request: SubscribeRequest) {
    // v1.1: the acknowledgement comes first, so a run with nothing issued reads as waiting, not silent.
    subscriber.deliver(subscribedText({ run: id, epoch, head }, options.heartbeatMs))
    // Nothing issued yet: the subscriber is held and gets seq 1 onwards live. If a run of this id was forgotten,
    // it is told so (a bar of an unstarted run would wait forever), and still held in case the id is reused.
    if (head === 0) {
      if (!owned && ctx.isForgotten(id)) {
        counters.unknownRuns++
        subscriber.deliver(errorFrameText('unknown_run', 'no such run (it ended and was forgotten)', id))
      }
      return
    }
    if (request.epoch === epoch && request.after !== undefined) {
      const missing = log.since(request.after)
      if (missing) {
        counters.replays++
        counters.replayedEvents += missing.length
        for (const entry of missing) subscriber.deliver(entry.text)
        return
      }
    }
    cachedSnapshot ??= snapshotText(id, epoch, head, options.now(), state)
    if (cachedSnapshot.fit === 'unavailable') counters.snapshotsUnavailable++
    else {
      counters.snapshotsSent++
      if (cachedSnapshot.fit === 'trimmed') counters.snapshotsTrimmed++
    }
    subscriber.deliver(cachedSnapshot.text)
  }

  function commit(inputs: readonly EventInput[]): number {
    return apply(inputs, (ts) => stageEvents(inputs, stagingRun(), ts)).head
  }

  function stagingRun() {
    return { id, epoch, head, state, limits: options.limits, budget }
  }

  /** Stages through `stage` (which throws or reports refusals), then logs, sends and persists what it staged. */
  function apply<S extends Staged>(inputs: readonly EventInput[], stage: (ts: number) => S) {
    const ts = options.now()
    let staged: S
    try {
      if (ctx.isClosed()) {
        throw new PublishError('hub_closed', id, inputs.map((input) => String(input?.type)).join('+'))
      }
      staged = stage(ts)
    } catch (error) {
      counters.rejected++
      throw error
    }
    const { entries } = staged
    if (entries.length === 0) return { head, staged }
    state = staged.state
    head += entries.length
    lastEventAt = ts
    cachedSnapshot = null
    counters.events += entries.length
    // A slow subscriber may be closed (and leave) while we loop: iterate a copy.
    const live = [...subscribers].filter(([, request]) => request === null).map(([subscriber]) => subscriber)
    for (const entry of entries) {
      log.append(entry)
      for (const subscriber of live) subscriber.deliver(entry.text)
    }
    writer?.mark()
    watch.touched(ts)
    if (isTerminal(state.status)) {
      void writer?.flush()
      unwatched.dispose()
      checkIdle()
    }
    return { head, staged }
  }

  function checkIdle() {
    if (subscribers.size > 0 || !ready || disposed) return
    if (isTerminal(state.status)) {
      retainTimer ??= options.setTimeout(() => ctx.remove(record), options.retainMs)
    } else if (head === 0 && !owned) ctx.remove(record)
  }

  // The producer is gone or silent and nobody watches: end the run truthfully so it can be retained and forgotten.
  function abandon() {
    const result = tail.then(() => {
      if (!idle() || watch.quietFor() < options.abandonMs) return watch.arm()
      counters.abandoned++
      const seconds = Math.round(watch.quietFor() / 1000)
      commit([{ type: 'run_failed', error: `abandoned: no event for ${seconds} s and nobody following` }])
    })
    tail = result.then(noop, (error: unknown) => reportError(error, 'abandon'))
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
      const result = tail.then(() => commit(inputs))
      tail = result.then(noop, noop)
      return result
    },
    /**
     * Applies the longest acceptable prefix of `inputs` (the HTTP publish API's rule): the events before the first
     * refusal are logged and sent, none after it. Resolves with the head and epoch after it, how many were applied
     * and the refusal with its index; rejects only when nothing could be tried (a closed hub).
     */
    publishPrefix(inputs: readonly EventInput[]): Promise<PrefixResult> {
      const result = tail.then(() => {
        const { head: last, staged } = apply(inputs, (ts) => stagePrefix(inputs, stagingRun(), ts))
        if (staged.refused) counters.rejected++
        const out: PrefixResult = { epoch, seq: last, applied: staged.entries.length }
        if (staged.refused) out.refused = staged.refused
        return out
      })
      tail = result.then(noop, noop)
      return result
    },
    subscribe(subscriber: RunSubscriber, request: SubscribeRequest) {
      cancelRetain()
      subscribers.set(subscriber, ready ? null : request)
      unwatched.viewers(subscribers.size)
      if (ready) answer(subscriber, request)
      viewers.seen()
    },
    unsubscribe(subscriber: RunSubscriber) {
      if (!subscribers.delete(subscriber)) return
      unwatched.viewers(subscribers.size)
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
    unwatched: (afterMs: number): AbortSignal => unwatched.signal(afterMs),
    firstSubscriber(timeoutMs?: number): Promise<boolean> {
      if (subscribers.size > 0) return Promise.resolve(true)
      if (disposed) return Promise.resolve(false)
      return viewers.wait(timeoutMs)
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
    dispose() {
      if (disposed) return
      disposed = true
      cancelRetain()
      watch.dispose()
      subscribers.clear()
      viewers.dispose()
      unwatched.dispose()
      if (writer) void writer.flush().finally(writer.dispose)
    },
  }
  return record
}
