/** A token bucket: `burst` tokens at most, refilled at `perSecond`. */
export interface RateBudget {
  /** Spends one token; false when none is left (nothing is spent then). */
  take(): boolean
}

/**
 * Lets a burst through at once and a steady rate after it, reading the clock only when asked (no timer).
 * @example
 * const subscribes = createRateBudget({ burst: 300, perSecond: 50, now: Date.now })
 * if (!subscribes.take()) refuse('rate_limited')
 */
export function createRateBudget(options: {
  burst: number
  perSecond: number
  now: () => number
}): RateBudget {
  const { burst, perSecond, now } = options
  let tokens = burst
  let at = now()
  return {
    take() {
      const time = now()
      tokens = Math.min(burst, tokens + ((time - at) * perSecond) / 1000)
      at = time
      if (tokens < 1) return false
      tokens--
      return true
    },
  }
}
