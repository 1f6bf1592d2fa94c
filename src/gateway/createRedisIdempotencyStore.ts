import type { createClient } from 'redis'
import { REDIS_PREFIX } from '../server/redis/createRedisStore'
import type { IdempotencyStore, StoredAnswer } from './createIdempotencyStore'

/**
 * An `IdempotencyStore` in Redis (`SET … PX`), so a retry reaching another gateway instance gets the answer
 * the first one gave.
 * @example
 * const store = createRedisStore({ url })
 * createGateway({ hub: { store }, idempotencyStore: createRedisIdempotencyStore(store.client, store.prefix) })
 */
export function createRedisIdempotencyStore(
  client: ReturnType<typeof createClient>,
  prefix = REDIS_PREFIX,
): IdempotencyStore {
  const key = (name: string) => `${prefix}idem:${name}`
  return {
    async get(name) {
      const text = (await client.sendCommand(['GET', key(name)])) as string | null
      return text === null ? undefined : (JSON.parse(text) as StoredAnswer)
    },
    async set(name, answer, ttlMs) {
      await client.sendCommand(['SET', key(name), JSON.stringify(answer), 'PX', String(Math.max(1, ttlMs))])
    },
  }
}
