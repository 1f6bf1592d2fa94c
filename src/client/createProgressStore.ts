import { createStore, type StoreApi } from 'zustand/vanilla'
import { DEFAULT_LIMITS, type RejectReason } from '../core/applyEvent'
import type { ConfidenceOptions } from '../core/confidence'
import type { ProgressOptions } from '../core/progress'
import type { RunView } from '../core/RunView'
import type { SequencerAction, SequencerOptions } from '../core/sequencer'
import { decodeFrame } from '../protocol/codec'
import {
  type DecodeErrorCode,
  type HeartbeatFrame,
  MAX_FRAME_BYTES,
  type SequencedFrame,
  type SubscribedFrame,
} from '../protocol/types'
import { callHost, thrownMessage } from '../transport/callHost'
import type { AdapterErrorCode } from './adapters/createAdaptedIngest'
import type { Adapter } from './adapters/defineAdapter'
import {
  createFlushScheduler,
  defaultSchedulerEnv,
  type FlushMode,
  type SchedulerEnv,
} from './flushScheduler'
import { createRunTracker, type RejectedEvent, type RunTracker } from './runTracker'

export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'

export interface ConnectionState {
  status: ConnectionStatus
  attempts: number
  /** Local time of the last frame of any kind. */
  lastFrameAt: number | null
}

/** Frames that never reached a run's sequencer: refused by the codec, for runs nobody follows, server errors, acks. */
export interface StoreStats {
  frames: number
  invalid: number
  unknownRun: number
  serverErrors: number
  /** `subscribed` answers (v1.1): they tell the run's tracker what the hub holds, not its sequencer. */
  acks: number
  byCode: Record<string, number>
}

export interface ProgressState {
  connection: ConnectionState
  runs: Record<string, RunView>
  stats: StoreStats
}

/** Every frame that was refused or that reports a problem, with its reason. */
export type ProgressError =
  | { kind: 'decode'; code: DecodeErrorCode; detail: string }
  | { kind: 'unknown_run'; run: string }
  | { kind: 'rejected'; run: string; seq: number; type: SequencedFrame['type']; reason: RejectReason }
  | { kind: 'server'; code: string; message: string; run?: string }
  | { kind: 'internal'; detail: string }
  // A foreign message the adapter could not read, threw on, or mapped to an event the schemas refuse.
  | { kind: 'adapter'; code: AdapterErrorCode; detail: string; run?: string }

export interface ProgressStoreOptions
  extends SequencerOptions,
    ProgressOptions,
    Pick<ConfidenceOptions, 'stallAfterMs' | 'restartNoticeMs'> {
  /** A hole younger than this shows no "catching up" (a reorder about to fill). Default min(250 ms, gap/3). */
  resyncGraceMs?: number
  /** When subscribers hear about changes. Default: once per animation frame. */
  flush?: FlushMode
  /** Time between refreshes of time-based fields (estimates, ETA, staleness) while a run is live. */
  refreshMs?: number
  /**
   * No frame for a run for this long → confidence `low`, reason `stale`; the live client also reconnects a connection
   * silent this long (PROTOCOL rule 8). Default: 2.5 × the `heartbeatMs` the hub announced in `subscribed`, else 25 s.
   */
  heartbeatTimeoutMs?: number
  activityLimit?: number
  maxFrameBytes?: number
  /** Frames for runs not yet followed create them (true for a bare store; the client follows explicitly). */
  autoFollow?: boolean
  /**
   * The source has no trustworthy order. Default: true with an `adapter` (events are numbered by arrival in a
   * local epoch, identical messages within the duplicate window are dropped, the adapter's plan-order rule
   * applies, confidence is never `high` while running); false without one.
   */
  unordered?: boolean
  /**
   * Maps each foreign message to protocol events; every message then goes through it. Made with `defineAdapter`
   * or a built-in adapter from `live-progress/adapters`, which also brings the unsequenced pipeline.
   */
  adapter?: Adapter
  /** Identical messages remembered to drop duplicates in unordered mode. Default 256. */
  duplicateWindow?: number
  /** How long an identical message still counts as a duplicate in unordered mode, ms. Default 60 s. */
  duplicateWindowMs?: number
  /** Initial connection state; a bare store is fed by its owner and starts `open`. */
  connection?: ConnectionStatus
  onError?: (error: ProgressError) => void
  /** The sequencer needs the transport: a resync or a fresh snapshot for a run. */
  onAction?: (run: string, action: SequencerAction) => void
  now?: () => number
  env?: SchedulerEnv
}

export const STORE_DEFAULTS = {
  flush: 'frame' as FlushMode,
  refreshMs: 250,
  heartbeatTimeoutMs: 25_000,
  activityLimit: DEFAULT_LIMITS.activityLimit,
} as const

export interface ProgressStore {
  /** A vanilla Zustand store: `store.getState().runs[runId]`, `store.subscribe(listener)`. */
  store: StoreApi<ProgressState>
  /** Takes one raw frame (text or bytes): decodes, orders, reduces now; publishes at the next flush. Never throws. */
  ingest(data: unknown): void
  /** Publishes pending changes now. */
  flush(): void
  follow(runId: string): void
  unfollow(runId: string): void
  /** The resume point of a followed run, for `subscribe`/`resync`. */
  position(runId: string): { epoch: string | null; applied: number } | null
  followed(): string[]
  setConnection(patch: Partial<Omit<ConnectionState, 'lastFrameAt'>>): void
  /** Local time of the last frame of any kind (published state lags until the next flush). */
  lastFrameAt(): number | null
  /** The heartbeat period the hub announced in its latest `subscribed` answer, or null (a v1.0 hub, no answer yet). */
  heartbeatMs(): number | null
  /** A fresh subscribe for this run is on its way: give it a gap timeout before asking again. */
  resubscribed(runId: string): void
  destroy(): void
}

/**
 * The client-side pipeline without a transport: codec → sequencer → reducer → progress model → a
 * vanilla Zustand store, published at most once per animation frame.
 * @example
 * const { store, ingest } = createProgressStore()
 * socket.onmessage = (message) => ingest(message.data)
 * store.subscribe((state) => draw(state.runs['run-1']))
 */
export function createProgressStore(options: ProgressStoreOptions = {}): ProgressStore {
  const env = options.env ?? defaultSchedulerEnv()
  const now = options.now ?? (() => Date.now())
  const refreshMs = options.refreshMs ?? STORE_DEFAULTS.refreshMs
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES
  const autoFollow = options.autoFollow ?? true
  const unordered = options.unordered ?? options.adapter !== undefined
  const trackerOptions = {
    ...options,
    unordered,
    extraRule: unordered ? options.adapter?.planOrder : undefined,
    limits: { ...DEFAULT_LIMITS, activityLimit: options.activityLimit ?? STORE_DEFAULTS.activityLimit },
  }
  const trackers = new Map<string, RunTracker>()
  const stats: StoreStats = { frames: 0, invalid: 0, unknownRun: 0, serverErrors: 0, acks: 0, byCode: {} }
  let connection: ConnectionState = {
    status: options.connection ?? 'open',
    attempts: 0,
    lastFrameAt: null,
  }
  let lastFrameAt: number | null = null
  let heartbeatMs: number | null = null
  let openedAt = Number.NEGATIVE_INFINITY
  let statsDirty = false
  let wakeHandle: unknown = null
  let wakeAt = Number.POSITIVE_INFINITY
  let destroyed = false

  const store = createStore<ProgressState>()(() => ({ connection, runs: {}, stats: { ...stats } }))

  const report = (error: ProgressError) => callHost(options.onError, error)
  const count = (code: string) => {
    stats.byCode[code] = (stats.byCode[code] ?? 0) + 1
    statsDirty = true
  }
  const act = (run: string, action: SequencerAction | null) => {
    if (action) callHost(options.onAction, run, action)
  }

  function flush() {
    if (destroyed) return
    scheduler.cancel()
    const t = now()
    const context = { now: t, disconnected: connection.status !== 'open', openedAt }
    const previous = store.getState()
    let runs = previous.runs
    let changed = Object.keys(runs).length !== trackers.size
    const next: Record<string, RunView> = {}
    for (const [id, tracker] of trackers) {
      const view = tracker.view(context)
      next[id] = view
      if (runs[id] !== view) changed = true
    }
    if (changed) runs = next
    if (connection.lastFrameAt !== lastFrameAt) connection = { ...connection, lastFrameAt }
    const nextConnection = connection
    if (runs !== previous.runs || nextConnection !== previous.connection || statsDirty) {
      statsDirty = false
      store.setState({ runs, connection: nextConnection, stats: { ...stats, byCode: { ...stats.byCode } } })
      // React renders useSyncExternalStore subscribers in a microtask queued by setState: this one runs after it.
      queueMicrotask(() => scheduler.busy(now() - t))
    }
    armWake(t)
  }

  const scheduler = createFlushScheduler(flush, options.flush ?? STORE_DEFAULTS.flush, env)

  // One timer for everything time-driven: gap deadlines and refreshes of live runs.
  function armWake(t: number) {
    let at = Number.POSITIVE_INFINITY
    for (const tracker of trackers.values()) {
      const deadline = tracker.sequencer.deadline()
      if (deadline !== null && deadline < at) at = deadline
      if (tracker.live() && t + refreshMs < at) at = t + refreshMs
    }
    if (at === wakeAt) return
    if (wakeHandle !== null) env.clearTimeout(wakeHandle)
    wakeHandle = null
    wakeAt = at
    if (at === Number.POSITIVE_INFINITY) return
    wakeHandle = env.setTimeout(wake, Math.max(0, at - t))
  }

  function wake() {
    wakeHandle = null
    wakeAt = Number.POSITIVE_INFINITY
    const t = now()
    for (const [id, tracker] of trackers) act(id, tracker.tick(t))
    scheduler.schedule()
    if (scheduler.mode !== 'sync') armWake(t)
  }

  function tracker(runId: string): RunTracker {
    let found = trackers.get(runId)
    if (!found) {
      found = createRunTracker(runId, trackerOptions)
      trackers.set(runId, found)
    }
    return found
  }

  // Foreign messages take the adapter's path; their events meet the same schemas, sequencer and phase rules.
  const { adapter } = options
  // A configuration mistake: `createIngest` below throws a TypeError at construction, named here in development
  // (a production build drops the check; where no bundler defines NODE_ENV, `process` is missing and so is it).
  try {
    if (process.env.NODE_ENV !== 'production' && adapter && typeof adapter.createIngest !== 'function') {
      console.error('live-progress: adapters come from defineAdapter()')
    }
  } catch {}
  const ingestAdapted = adapter?.createIngest(
    { ...options, adapter, unordered, maxFrameBytes },
    {
      tracker: (run) => trackers.get(run) ?? (autoFollow ? tracker(run) : null),
      feed: ingestDecoded,
      invalid(code, detail, run) {
        stats.invalid++
        count(code)
        report({ kind: 'adapter', code, detail, ...(run !== undefined && { run }) })
      },
      skipped: count,
    },
  )

  function ingest(data: unknown) {
    if (destroyed) return
    try {
      stats.frames++
      const t = now()
      lastFrameAt = t
      if (ingestAdapted) ingestAdapted(data, t)
      else ingestFrame(data, t)
    } catch (thrown) {
      // Nothing in the pipeline should throw; if it ever does, the host app must not pay for it.
      count('internal')
      report({ kind: 'internal', detail: thrownMessage(thrown) })
    }
    scheduler.schedule()
  }

  function ingestFrame(data: unknown, t: number) {
    const decoded = decodeFrame(data, maxFrameBytes)
    if (!decoded.ok) {
      stats.invalid++
      count(decoded.error.code)
      report({ kind: 'decode', ...decoded.error })
    } else if (decoded.frame.type === 'error') {
      const { code, message, run } = decoded.frame
      stats.serverErrors++
      // Prefixed: the server's `unknown_run` is not the store's own count of frames for runs nobody follows.
      count(`server:${code}`)
      if (run !== undefined) trackers.get(run)?.refuse(code, message)
      report({ kind: 'server', code, message, ...(run !== undefined && { run }) })
    } else ingestDecoded(decoded.frame, t)
  }

  // Frames come in long stretches for one run: checking the last one first skips hashing a fresh string.
  let lastRun: string | null = null
  let lastTracker: RunTracker | undefined

  function ingestDecoded(frame: SequencedFrame | HeartbeatFrame | SubscribedFrame, t: number) {
    const run = frame.run
    const known = run === lastRun ? lastTracker : trackers.get(run)
    if (!known && !autoFollow) {
      stats.unknownRun++
      count('unknown_run')
      report({ kind: 'unknown_run', run })
      return
    }
    const target = known ?? tracker(run)
    if (frame.type === 'subscribed') {
      stats.acks++
      heartbeatMs = frame.heartbeatMs
    }
    lastRun = run
    lastTracker = target
    act(run, target.ingest(frame, t, rejected))
  }

  // One function for every frame: a closure made per frame was garbage on the hot path.
  function rejected({ event, reason }: RejectedEvent) {
    count(reason)
    report({ kind: 'rejected', run: event.run, seq: event.seq, type: event.type, reason })
  }

  return {
    store,
    ingest,
    flush,
    follow(runId) {
      if (trackers.has(runId)) return
      tracker(runId)
      scheduler.schedule()
    },
    unfollow(runId) {
      if (lastRun === runId) lastRun = null
      if (trackers.delete(runId)) scheduler.schedule()
    },
    position: (runId) => trackers.get(runId)?.sequencer.position() ?? null,
    followed: () => [...trackers.keys()],
    setConnection(patch) {
      // A connection that (re)opens gives every run a fresh heartbeat timeout: the silence before it is the
      // drop's, already shown as reconnecting, not the run's.
      if (patch.status === 'open' && connection.status !== 'open') openedAt = now()
      connection = { ...connection, ...patch }
      for (const t of trackers.values()) t.touch()
      scheduler.schedule()
    },
    lastFrameAt: () => lastFrameAt,
    heartbeatMs: () => heartbeatMs,
    resubscribed(runId) {
      trackers.get(runId)?.sequencer.resubscribed(now())
    },
    destroy() {
      destroyed = true
      scheduler.cancel()
      if (wakeHandle !== null) env.clearTimeout(wakeHandle)
      wakeHandle = null
    },
  }
}
