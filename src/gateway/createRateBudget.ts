export interface RateBudgetOptions {
  /** Tokens added per second (0 or Infinity: no budget). */
  ratePerSecond: number
  /** Tokens a bucket holds at most: the burst a quiet key may spend at once. */
  burst: number
  /** Buckets kept at most; the least recently used go first. */
  maxKeys?: number
  now?: () => number
}

/** A token bucket per key. */
export interface RateBudget {
  /** Spends `cost` tokens of `key`'s bucket; returns 0 if it could, else the ms until it could. */
  take(key: string, cost: number): number
}

/**
 * Token buckets per key (a publish key and run): a producer may burst, then is held to its rate; one run's
 * storm never spends another's budget.
 * @example
 * const budget = createRateBudget({ ratePerSecond: 1000, burst: 2000 })
 * const waitMs = budget.take(`${key}\n${run}`, events.length)
 * if (waitMs > 0) return reply(429, ...)
 */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const { ratePerSecond, burst } = options
  const maxKeys = options.maxKeys ?? 100_000
  const now = options.now ?? (() => performance.now())
  const buckets = new Map<string, { tokens: number; at: number }>()
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) return { take: () => 0 }

  return {
    take(key, cost) {
      const t = now()
      let bucket = buckets.get(key)
      if (bucket) buckets.delete(key)
      else bucket = { tokens: burst, at: t }
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) * ratePerSecond) / 1000)
      bucket.at = t
      // Re-inserted last: the Map's first key is the least recently used.
      buckets.set(key, bucket)
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!)
      // A batch larger than the burst passes from a full bucket and leaves it in debt, held to the rate after.
      const needed = Math.min(cost, burst)
      if (bucket.tokens >= needed) {
        bucket.tokens -= cost
        return 0
      }
      const missing = needed - bucket.tokens
      return Math.max(1, Math.ceil((missing * 1000) / ratePerSecond))
    },
  }
}
