import { createHash } from 'node:crypto'
import { createClient } from 'redis'
import type { RunState } from '../../protocol/types'
import type { HubStore, StoreAppendResult, StoredHead, StoreMessage } from '../hubStore'
import { APPEND_SCRIPT, ROTATE_SCRIPT } from './scripts'

type RedisClient = ReturnType<typeof createClient>

export interface RedisStoreOptions {
  /** `redis://host:port/db`; ignored when `client` is given. */
  url?: string
  /** A client to use (connected or not; the store connects it and never closes it); PUB/SUB uses a duplicate. */
  client?: RedisClient
  /** Prepended to every key and channel (several apps on one Redis). Default `lp:`. */
  prefix?: string
  /** Events kept per run's stream (`XADD MAXLEN ~`, so up to about 100 more). Default 10,000. */
  logLimit?: number
  /** A run's meta (epoch, head, state) lives this long after its last event, ms. Default 7 days. */
  metaTtlMs?: number
  /** A run's log lives this long after its last event, ms; shorter than the meta. Default 1 day. */
  logTtlMs?: number
  /** Errors of the background connections (reconnects are automatic). */
  onError?: (error: unknown) => void
}

export interface RedisStore extends HubStore {
  /** What every key and channel of this store starts with. */
  readonly prefix: string
  /** The connection for commands (not PUB/SUB): other state of the same deployment may share it. */
  readonly client: RedisClient
  /** Both connections are up (what a health check reports). */
  isReady(): boolean
  /** Connects both connections and loads the scripts; `createProgressHub` works before it resolves too. */
  ready(): Promise<void>
  /** The keys and channel of a run (one hash slot). */
  keys(runId: string): { tag: string; meta: string; log: string; channel: string }
  close(): Promise<void>
}

/** What every key and channel starts with unless `prefix` says otherwise. */
export const REDIS_PREFIX = 'lp:'

/** How long a batch's idempotency key is remembered when the caller gives no time (the gateway's default). */
const DEFAULT_IDEMPOTENCY_MS = 24 * 60 * 60_000

/** How long `close()` waits for replies still owed before it drops the connections. */
const CLOSE_GRACE_MS = 1000

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')

/** Splits a fan-out message: `epoch \n first seq \n event \n event …` (encoded events hold no raw newline). */
export function parseStoreMessage(text: string): StoreMessage | null {
  const a = text.indexOf('\n')
  const b = a < 0 ? -1 : text.indexOf('\n', a + 1)
  if (b < 0) return null
  const first = Number(text.slice(a + 1, b))
  if (!Number.isSafeInteger(first) || first < 1) return null
  const rest = text.slice(b + 1)
  return { epoch: text.slice(0, a), first, texts: rest === '' ? [] : rest.split('\n') }
}

/**
 * A `HubStore` on Redis Streams: one stream per run (entry id = seq), one hash of meta, one channel of fan-out,
 * all under the hash tag `{r:<run>}`. Appends run `APPEND_SCRIPT` (check, number, XADD, trim, TTL, PUBLISH in
 * one call); a second connection subscribes to the channels of the runs this instance follows.
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379' })
 * const hub = createProgressHub({ store })
 */
export function createRedisStore(options: RedisStoreOptions = {}): RedisStore {
  const prefix = options.prefix ?? REDIS_PREFIX
  const logLimit = options.logLimit ?? 10_000
  const metaTtlMs = options.metaTtlMs ?? 7 * 24 * 60 * 60_000
  const logTtlMs = Math.min(options.logTtlMs ?? 24 * 60 * 60_000, metaTtlMs)
  const onError = options.onError ?? (() => {})
  const ownsClient = !options.client
  const client: RedisClient = options.client ?? createClient({ url: options.url })
  const subscriber: RedisClient = client.duplicate()
  const scripts = { append: sha1(APPEND_SCRIPT), rotate: sha1(ROTATE_SCRIPT) }
  const reconnectListeners = new Set<() => void>()
  // Each channel's listeners: one SUBSCRIBE per run however many hubs' records follow it.
  const listeners = new Map<string, Set<(message: StoreMessage) => void>>()
  let readyOnce = false
  let closed = false

  client.on('error', onError)
  subscriber.on('error', onError)
  // `ready` after the first is a reconnect: what was published meanwhile may not have reached us.
  const onReady = () => {
    if (!readyOnce) return
    for (const listener of reconnectListeners) listener()
  }
  client.on('ready', onReady)
  subscriber.on('ready', onReady)

  let connecting: Promise<void> | null = null
  function ready(): Promise<void> {
    connecting ??= (async () => {
      if (!client.isOpen) await client.connect()
      if (!subscriber.isOpen) await subscriber.connect()
      readyOnce = true
    })()
    return connecting
  }

  const keys = (runId: string) => {
    const tag = `${prefix}{r:${runId}}`
    return { tag, meta: `${tag}:meta`, log: `${tag}:log`, channel: `${tag}:events` }
  }

  // EVALSHA, loading the script once when Redis does not know it (a restart, SCRIPT FLUSH, a new node).
  async function run(name: 'append' | 'rotate', keyList: string[], args: string[]): Promise<unknown> {
    await ready()
    const sha = scripts[name]
    const command = (op: string, ref: string) => [op, ref, String(keyList.length), ...keyList, ...args]
    try {
      return await client.sendCommand(command('EVALSHA', sha))
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      return client.sendCommand(command('EVAL', name === 'append' ? APPEND_SCRIPT : ROTATE_SCRIPT))
    }
  }

  const streamTexts = (reply: unknown): string[] =>
    (reply as [string, string[]][]).map(([, fields]) => fields[fields.indexOf('e') + 1] ?? '')

  return {
    prefix,
    client,
    isReady: () => client.isReady && subscriber.isReady,
    ready,
    keys,
    async load(runId, count) {
      await ready()
      const k = keys(runId)
      // One transaction: a head read apart from its log could see an append land in between.
      const read = client.multi().addCommand(['HGETALL', k.meta])
      if (count > 0) read.addCommand(['XREVRANGE', k.log, '+', '-', 'COUNT', String(count)])
      const [meta, entries] = (await read.exec()) as unknown as [string[] | Record<string, string>, unknown?]
      const fields = Array.isArray(meta) ? Object.fromEntries(pairs(meta)) : meta
      if (fields.epoch === undefined || fields.head === undefined || fields.state === undefined)
        return undefined
      const log = entries === undefined ? [] : streamTexts(entries).reverse()
      return {
        epoch: fields.epoch,
        head: Number(fields.head),
        state: JSON.parse(fields.state) as RunState,
        ts: fields.ts === undefined ? null : Number(fields.ts),
        log,
      }
    },
    async head(runId): Promise<StoredHead | undefined> {
      await ready()
      const [epoch, head] = (await client.sendCommand(['HMGET', keys(runId).meta, 'epoch', 'head'])) as (
        | string
        | null
      )[]
      return epoch == null || head == null ? undefined : { epoch, head: Number(head) }
    },
    async read(runId, after, count) {
      await ready()
      const reply = await client.sendCommand([
        'XRANGE',
        keys(runId).log,
        `${after + 1}-0`,
        '+',
        'COUNT',
        String(count),
      ])
      return streamTexts(reply)
    },
    async append(runId, append): Promise<StoreAppendResult> {
      const k = keys(runId)
      const keyList = [k.meta, k.log]
      if (append.idempotencyKey !== undefined) keyList.push(`${k.tag}:idem:${append.idempotencyKey}`)
      const reply = (await run('append', keyList, [
        append.epoch,
        String(append.after),
        append.create ? '1' : '0',
        JSON.stringify(append.state),
        String(logLimit),
        String(metaTtlMs),
        String(logTtlMs),
        k.channel,
        String(append.ts),
        String(Math.max(1, append.idempotencyMs ?? DEFAULT_IDEMPOTENCY_MS)),
        ...append.texts,
      ])) as [number, string, number]
      const [code, epoch, head] = reply
      if (code === 1) return { ok: true, epoch, head: Number(head) }
      if (code === 2) return { ok: true, epoch, head: Number(head), replayed: true }
      return { ok: false, epoch: epoch === '' ? null : epoch, head: Number(head) }
    },
    async rotate(runId, from, to) {
      const k = keys(runId)
      const epoch = (await run('rotate', [k.meta, k.log], [from, to, k.channel])) as string
      return epoch === '' ? null : epoch
    },
    async follow(runId, listener) {
      await ready()
      const channel = keys(runId).channel
      let set = listeners.get(channel)
      if (!set) {
        const fresh = new Set<(message: StoreMessage) => void>()
        listeners.set(channel, fresh)
        set = fresh
        await subscriber.subscribe(channel, (text) => {
          const message = parseStoreMessage(text)
          if (!message) return onError(new Error(`malformed message on ${channel}`))
          for (const each of [...fresh]) each(message)
        })
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        if (set.size > 0 || listeners.get(channel) !== set) return
        listeners.delete(channel)
        if (!closed) subscriber.unsubscribe(channel).catch(onError)
      }
    },
    onReconnect(listener) {
      reconnectListeners.add(listener)
      return () => reconnectListeners.delete(listener)
    },
    async close() {
      if (closed) return
      closed = true
      listeners.clear()
      reconnectListeners.clear()
      // A graceful close waits for replies; one still owed by a server that went away would hold it forever.
      const graceful = Promise.allSettled([
        client.isOpen && ownsClient ? client.close() : null,
        subscriber.isOpen ? subscriber.close() : null,
      ])
      const timer = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())
      await Promise.race([graceful, timer])
      if (ownsClient && client.isOpen) client.destroy()
      if (subscriber.isOpen) subscriber.destroy()
    },
  }
}

function* pairs(flat: string[]): Generator<[string, string]> {
  for (let i = 0; i + 1 < flat.length; i += 2) yield [flat[i]!, flat[i + 1]!]
}
