import { DEFAULT_LIMITS, type ReducerLimits } from '../core/applyEvent'
import type { HubStore } from './hubStore'
import type { HubPersist } from './persist'

/** Timer and clock seams. Defaults read `globalThis` at call time so fake timers installed later still work. */
export interface HubTimers {
  now: () => number
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
  setInterval: (fn: () => void, ms: number) => unknown
  clearInterval: (handle: unknown) => void
}

/** Options of `createProgressHub`; all optional (see `HUB_DEFAULTS`). */
export interface ProgressHubOptions<Request = unknown> extends Partial<HubTimers> {
  /** Heartbeat period per subscribed run, ms; announced to clients in `subscribed` (they reconnect after 2.5× of silence). */
  heartbeatMs?: number
  /**
   * WebSocket ping period of `hub.attach`/`attachWebSocket`/`hub.accept`, ms (0: no pings). A peer that answers
   * none of two pings is terminated at the next one. Default: `heartbeatMs`.
   */
  pingMs?: number
  /** Events kept per run for replay (the log grows as events come, up to this); older resumes get a snapshot. */
  logLimit?: number
  /** A connection whose `bufferedAmount` exceeds this is closed with 1013 (the client resumes). */
  maxBufferedBytes?: number
  /** A connection whose queued bytes do not shrink for this long is closed with 1013, ms (0: never). */
  sendStallMs?: number
  /** About this many bytes of a replay are sent to one connection at a time. */
  replayChunkBytes?: number
  /** Replays together send about this many bytes before yielding to the event loop. */
  replayTurnBytes?: number
  /** How long an ended run is kept after its last subscriber leaves, ms. */
  retainMs?: number
  /**
   * A started run with no event and no subscriber for this long is failed by the hub (error `abandoned`), so a
   * producer that died does not leak the run nor leave late viewers a bar that never ends, ms (0: never).
   */
  abandonMs?: number
  /** Ids of forgotten runs remembered, so a late subscribe gets `error {code: "unknown_run"}` (oldest dropped first). */
  tombstoneLimit?: number
  /** Runs one connection may follow at once. */
  maxSubscriptions?: number
  /** Runs not started yet (held subscriptions) one connection may follow; more get `too_many_subscriptions`. */
  maxHeldPerConnection?: number
  /** Runs not started yet the whole hub holds for subscribers; more get `overloaded`. */
  maxHeldRuns?: number
  /** Subscribe/resync/unsubscribe frames a connection may send at once; more get `rate_limited`. */
  subscribeBurst?: number
  /** …and per second after the burst. */
  subscribesPerSecond?: number
  /** Refused frames (bad, forbidden, over a limit or the rate) a connection may send at once before 1008. */
  refusalBurst?: number
  /** …and per second after the burst. */
  refusalsPerSecond?: number
  /** Calls a run's publisher may have waiting at once; more reject with `PublishError` `overloaded`. */
  maxQueuedPublishes?: number
  /** Reducer limits (activity entries, tasks per phase); capped at what a snapshot may carry (1,000 and 256). */
  limits?: ReducerLimits
  /** May this request see this run? May be async; a throw counts as a refusal. */
  authorize?: (request: Request, runId: string) => boolean | Promise<boolean>
  /** Makes a new epoch id (1–64 chars; anything else is reported and replaced). Defaults to `crypto.randomUUID()`. */
  epoch?: () => string
  /** Storage seam. Without it a restarted hub starts new epochs, so clients get snapshots. */
  persist?: HubPersist
  /**
   * A store shared by several hubs (`createRedisStore`): every run's log, head and state live there, so any
   * instance publishes, replays and snapshots any run. Takes the place of `persist`.
   */
  store?: HubStore
  /** Coalescing period of persist writes, ms (terminal events are written at once). */
  persistMs?: number
  /** Events of the log tail saved with each snapshot. */
  persistLogLimit?: number
  /** Called with errors the hub swallows so they never reach producers (persist failures). */
  onError?: (error: unknown, context: string) => void
}

/** Every default of `ProgressHubOptions`. */
export const HUB_DEFAULTS = {
  heartbeatMs: 10_000,
  logLimit: 10_000,
  maxBufferedBytes: 1024 * 1024,
  sendStallMs: 30_000,
  replayChunkBytes: 16 * 1024,
  replayTurnBytes: 128 * 1024,
  retainMs: 5 * 60_000,
  abandonMs: 60 * 60_000,
  tombstoneLimit: 10_000,
  maxSubscriptions: 256,
  maxHeldPerConnection: 64,
  maxHeldRuns: 10_000,
  subscribeBurst: 512,
  subscribesPerSecond: 64,
  refusalBurst: 64,
  refusalsPerSecond: 1,
  maxQueuedPublishes: 10_000,
  persistMs: 1_000,
  persistLogLimit: 1_000,
} as const

export interface ResolvedHubOptions<Request> extends HubTimers {
  heartbeatMs: number
  pingMs: number
  logLimit: number
  maxBufferedBytes: number
  sendStallMs: number
  replayChunkBytes: number
  replayTurnBytes: number
  retainMs: number
  abandonMs: number
  tombstoneLimit: number
  maxSubscriptions: number
  maxHeldPerConnection: number
  maxHeldRuns: number
  subscribeBurst: number
  subscribesPerSecond: number
  refusalBurst: number
  refusalsPerSecond: number
  maxQueuedPublishes: number
  limits: ReducerLimits
  authorize: ((request: Request, runId: string) => boolean | Promise<boolean>) | undefined
  epoch: () => string
  persist: HubPersist | undefined
  store: HubStore | undefined
  persistMs: number
  persistLogLimit: number
  onError: (error: unknown, context: string) => void
}

// What a snapshot's state may hold (runStateSchema): a hub configured beyond it would send snapshots clients refuse.
const SNAPSHOT_LIMITS: ReducerLimits = { activityLimit: 1000, taskLimit: 256 }

const isEpoch = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 64

/** A custom epoch factory that returns something PROTOCOL forbids would make every event of the run invalid. */
function checkedEpoch(make: () => string, onError: (error: unknown, context: string) => void): () => string {
  return () => {
    let made: unknown
    try {
      made = make()
    } catch (error) {
      made = error
    }
    if (isEpoch(made)) return made
    try {
      onError(made instanceof Error ? made : new Error('epoch must be a string of 1–64 characters'), 'epoch')
    } catch {}
    return newEpoch()
  }
}

/** A random epoch id; `crypto.randomUUID` is missing in browsers on insecure origins (a hub in a story). */
export function newEpoch(): string {
  const crypto = globalThis.crypto
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID()
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

// Node timers would keep the process alive for retainMs after everything else is done.
const unref = <T>(handle: T): T => {
  ;(handle as { unref?: () => void } | undefined)?.unref?.()
  return handle
}

export function resolveHubOptions<Request>(
  options: ProgressHubOptions<Request>,
): ResolvedHubOptions<Request> {
  const onError = options.onError ?? (() => {})
  const limits = options.limits ?? DEFAULT_LIMITS
  const heartbeatMs = options.heartbeatMs ?? HUB_DEFAULTS.heartbeatMs
  return {
    heartbeatMs,
    pingMs: options.pingMs ?? heartbeatMs,
    logLimit: Math.max(1, options.logLimit ?? HUB_DEFAULTS.logLimit),
    maxBufferedBytes: options.maxBufferedBytes ?? HUB_DEFAULTS.maxBufferedBytes,
    sendStallMs: options.sendStallMs ?? HUB_DEFAULTS.sendStallMs,
    replayChunkBytes: Math.max(1, options.replayChunkBytes ?? HUB_DEFAULTS.replayChunkBytes),
    replayTurnBytes: Math.max(1, options.replayTurnBytes ?? HUB_DEFAULTS.replayTurnBytes),
    retainMs: options.retainMs ?? HUB_DEFAULTS.retainMs,
    abandonMs: options.abandonMs ?? HUB_DEFAULTS.abandonMs,
    tombstoneLimit: Math.max(0, options.tombstoneLimit ?? HUB_DEFAULTS.tombstoneLimit),
    maxSubscriptions: options.maxSubscriptions ?? HUB_DEFAULTS.maxSubscriptions,
    maxHeldPerConnection: options.maxHeldPerConnection ?? HUB_DEFAULTS.maxHeldPerConnection,
    maxHeldRuns: options.maxHeldRuns ?? HUB_DEFAULTS.maxHeldRuns,
    subscribeBurst: options.subscribeBurst ?? HUB_DEFAULTS.subscribeBurst,
    subscribesPerSecond: options.subscribesPerSecond ?? HUB_DEFAULTS.subscribesPerSecond,
    refusalBurst: options.refusalBurst ?? HUB_DEFAULTS.refusalBurst,
    refusalsPerSecond: options.refusalsPerSecond ?? HUB_DEFAULTS.refusalsPerSecond,
    maxQueuedPublishes: options.maxQueuedPublishes ?? HUB_DEFAULTS.maxQueuedPublishes,
    limits: {
      activityLimit: Math.min(limits.activityLimit, SNAPSHOT_LIMITS.activityLimit),
      taskLimit: Math.min(limits.taskLimit, SNAPSHOT_LIMITS.taskLimit),
    },
    authorize: options.authorize,
    epoch: options.epoch ? checkedEpoch(options.epoch, onError) : newEpoch,
    persist: options.store ? undefined : options.persist,
    store: options.store,
    persistMs: options.persistMs ?? HUB_DEFAULTS.persistMs,
    persistLogLimit: options.persistLogLimit ?? HUB_DEFAULTS.persistLogLimit,
    onError,
    now: options.now ?? (() => Date.now()),
    setTimeout: options.setTimeout ?? ((fn, ms) => unref(globalThis.setTimeout(fn, ms))),
    clearTimeout:
      options.clearTimeout ?? ((h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>)),
    setInterval: options.setInterval ?? ((fn, ms) => unref(globalThis.setInterval(fn, ms))),
    clearInterval:
      options.clearInterval ?? ((h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>)),
  }
}
