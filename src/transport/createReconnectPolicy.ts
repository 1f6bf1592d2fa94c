import { hostTimers, type TransportTimers } from './hostTimers'

/** Backoff between reconnects (reconnecting-websocket's option names); the delays get full jitter. */
export interface ReconnectOptions {
  /** Upper bound of the first retry's delay, ms. */
  minReconnectionDelay?: number
  /** Upper bound of any retry's delay, ms. */
  maxReconnectionDelay?: number
  reconnectionDelayGrowFactor?: number
  /** A connection that stays open this long resets the backoff. */
  minUptime?: number
  /** An attempt that has not opened after this long is abandoned and retried (WebSocket only). */
  connectionTimeout?: number
  /** Retries after a loss before giving up for good (status `closed`). */
  maxRetries?: number
}

/** Suits a browser: first retry within 1 s, never more than 10 s apart. */
export const RECONNECT_DEFAULTS = {
  minReconnectionDelay: 1000,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.3,
  minUptime: 5000,
  connectionTimeout: 4000,
  maxRetries: Number.POSITIVE_INFINITY,
} as const

/** When each transport tries again: one schedule for the WebSocket, SSE and in-memory transports. */
export interface ReconnectPolicy {
  /** The attempt about to be made since the last stable connection: 0 for the first, 1 for the first retry, … */
  readonly attempt: number
  /** Retries are used up (`attempt > maxRetries`): the transport gives up for good. */
  exhausted(): boolean
  /** Resolves after the current attempt's delay: none for attempt 0, else random × min(max, min × grow^(n-1)). */
  sleep(): Promise<void>
  /** A connection opened: once it has stayed up for `minUptime` the count starts again from 0. */
  opened(): void
  /** A connection (or an attempt) failed: the next attempt counts one more. */
  failed(): void
  /** Clears every timer and wakes a pending `sleep` at once (the transport is closing). */
  cancel(): void
}

/**
 * Full-jitter exponential backoff with a stable-uptime reset, on injected timers (tests replace them).
 * @example
 * const policy = createReconnectPolicy({ minReconnectionDelay: 500 })
 * policy.failed()
 * await policy.sleep() // somewhere in [0, 500) ms
 */
export function createReconnectPolicy(
  options: ReconnectOptions = {},
  random: () => number = Math.random,
  timers: TransportTimers = hostTimers(),
): ReconnectPolicy {
  const o = { ...RECONNECT_DEFAULTS, ...options }
  // Clearing a handle that already fired (or was never set) is harmless, so the handles are never reset.
  let uptime: unknown
  let sleeping: unknown
  let wake = () => {}
  const policy = {
    attempt: 0,
    exhausted: () => policy.attempt > o.maxRetries,
    sleep: () =>
      new Promise<void>((resolve) => {
        const n = policy.attempt
        if (n === 0) return resolve()
        wake = resolve
        const cap = Math.min(
          o.maxReconnectionDelay,
          o.minReconnectionDelay * o.reconnectionDelayGrowFactor ** (n - 1),
        )
        sleeping = timers.setTimeout(resolve, random() * cap)
      }),
    opened() {
      timers.clearTimeout(uptime)
      if (o.minUptime > 0) uptime = timers.setTimeout(() => (policy.attempt = 0), o.minUptime)
      else policy.attempt = 0
    },
    failed() {
      timers.clearTimeout(uptime)
      policy.attempt++
    },
    cancel() {
      timers.clearTimeout(uptime)
      timers.clearTimeout(sleeping)
      wake()
    },
  }
  return policy
}
