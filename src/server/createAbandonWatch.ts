import type { HubTimers } from './hubOptions'

/** Notices a run that stopped moving while nobody follows it. */
export interface AbandonWatch {
  /** An event was accepted at `ts`. */
  touched(ts: number): void
  /** Something that `idle()` reads changed (a subscriber left, a waiter gave up): start the clock if idle. */
  arm(): void
  /** Time since the last event, ms. */
  quietFor(): number
  dispose(): void
}

export interface AbandonWatchOptions extends Pick<HubTimers, 'now' | 'setTimeout' | 'clearTimeout'> {
  /** 0 or Infinity: never. */
  abandonMs: number
  /** The run could be abandoned now: started, not ended, nobody following or waiting for a viewer. */
  idle(): boolean
  /** Called once the run has been idle and quiet for `abandonMs`. */
  abandoned(quietMs: number): void
}

/**
 * One timer per idle run, not one per event: it is armed when the run becomes idle and, when it fires early
 * because events kept coming, re-armed for the rest of the quiet period.
 * @example
 * const watch = createAbandonWatch({ abandonMs: 3_600_000, idle, abandoned: fail, ...timers })
 * watch.touched(now)
 */
export function createAbandonWatch(options: AbandonWatchOptions): AbandonWatch {
  const enabled = options.abandonMs > 0 && Number.isFinite(options.abandonMs)
  let lastEventAt = options.now()
  let timer: unknown

  function fire() {
    timer = undefined
    if (!options.idle()) return
    const quiet = options.now() - lastEventAt
    if (quiet < options.abandonMs) arm()
    else options.abandoned(quiet)
  }

  function arm() {
    if (!enabled || timer !== undefined || !options.idle()) return
    timer = options.setTimeout(fire, Math.max(0, lastEventAt + options.abandonMs - options.now()))
  }

  return {
    touched(ts) {
      lastEventAt = ts
      arm()
    },
    arm,
    quietFor: () => options.now() - lastEventAt,
    dispose() {
      if (timer !== undefined) options.clearTimeout(timer)
      timer = undefined
    },
  }
}
