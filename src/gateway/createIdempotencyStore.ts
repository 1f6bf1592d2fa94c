/** The answer a publish gave, kept so a retry with the same `Idempotency-Key` gets it again. */
export interface StoredAnswer {
  status: number
  body: unknown
}

/**
 * Where answers to idempotent publishes are kept. Async so a shared store (Redis) can back it for several
 * gateways; the memory store below serves one process.
 */
export interface IdempotencyStore {
  get(key: string): Promise<StoredAnswer | undefined>
  /** Keeps `answer` under `key` for `ttlMs`. */
  set(key: string, answer: StoredAnswer, ttlMs: number): Promise<void>
}

export interface MemoryIdempotencyOptions {
  /** Answers kept at most; the oldest go first (memory stays bounded whatever producers send). */
  maxEntries?: number
  now?: () => number
}

/**
 * A bounded in-memory `IdempotencyStore`: entries expire after their ttl and, past `maxEntries`, the oldest is
 * dropped (a retry of a dropped key would append again: size it above the keys a day of retries can reuse).
 * @example
 * const store = createMemoryIdempotencyStore({ maxEntries: 100_000 })
 * await store.set('run-1\nkey-7', { status: 200, body }, 86_400_000)
 */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyOptions = {}): IdempotencyStore & {
  readonly size: number
} {
  const maxEntries = options.maxEntries ?? 100_000
  const now = options.now ?? (() => Date.now())
  // Insertion order is expiry order when every ttl is the same; `get` still checks each entry's own expiry.
  const entries = new Map<string, { answer: StoredAnswer; expires: number }>()

  function sweep() {
    const t = now()
    for (const [key, entry] of entries) {
      if (entry.expires > t && entries.size <= maxEntries) break
      entries.delete(key)
    }
  }

  return {
    async get(key) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (entry.expires <= now()) {
        entries.delete(key)
        return undefined
      }
      return entry.answer
    },
    async set(key, answer, ttlMs) {
      entries.delete(key)
      entries.set(key, { answer, expires: now() + ttlMs })
      sweep()
    },
    get size() {
      return entries.size
    },
  }
}
