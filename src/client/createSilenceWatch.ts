import type { TransportTimers } from '../transport/hostTimers'

export interface SilenceWatch {
  /** Counts from now unless it already counts; `over` counts again from now (the connection opened, a new timeout). */
  start(over?: boolean): void
  stop(): void
}

export interface SilenceWatchOptions {
  /** The heartbeat timeout now, ms: it changes when the server announces its period. */
  timeoutMs(): number
  /** Local time of the last frame of any kind, or null before the first. */
  lastFrameAt(): number | null
  /** Whether silence means anything now: the connection is open and follows at least one run. */
  active(): boolean
  /** The connection has said nothing for the timeout. Called once per silence. */
  silent(): void
  now(): number
  timers: TransportTimers
}

/**
 * PROTOCOL v1.1 rule 8: an open connection that follows a run and hears no frame at all for the heartbeat timeout is
 * dead, however open it looks (a stuck proxy, a lost flow). Frames only stamp a time (the store's `lastFrameAt`); the
 * one timer reads it when it fires, so the hot path pays nothing.
 * @example
 * const watch = createSilenceWatch({ timeoutMs: () => 25_000, lastFrameAt, active, silent: reconnect, now, timers })
 */
export function createSilenceWatch(options: SilenceWatchOptions): SilenceWatch {
  const { timeoutMs, lastFrameAt, active, silent, now, timers } = options
  let timer: unknown = null
  let since = 0

  function stop() {
    if (timer !== null) timers.clearTimeout(timer)
    timer = null
  }

  function check(confirmed = false) {
    timer = null
    if (!active()) return
    const left = timeoutMs() - (now() - Math.max(since, lastFrameAt() ?? since))
    if (left > 0) timer = timers.setTimeout(check, left)
    // A timer that fires late (a busy or suspended page) runs before frames already waiting: let those in first.
    else if (!confirmed) timer = timers.setTimeout(() => check(true), 0)
    else silent()
  }

  function start(over = false) {
    if (over) stop()
    if (timer !== null || !active()) return
    since = now()
    timer = timers.setTimeout(check, timeoutMs())
  }

  return { start, stop }
}
