import { eventSchemas } from '../protocol/schemas'
import { defaultSchedulerEnv, type SchedulerEnv } from './flushScheduler'
import type { Transport, TransportHandlers } from './transport'
import type { UrlProvider } from './webSocketTransport'

/** What the transport needs of an EventSource: the browser's, or any compatible class in Node. */
export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void
  close(): void
}

export interface EventSourceConstructor {
  new (url: string, init?: { withCredentials?: boolean }): EventSourceLike
}

/** Backoff between reconnects (full jitter), as in the WebSocket transport. */
export interface SseReconnectOptions {
  minReconnectionDelay?: number
  maxReconnectionDelay?: number
  reconnectionDelayGrowFactor?: number
  /** A connection that stays up this long resets the backoff. */
  minUptime?: number
  /** Retries after a loss before giving up for good. */
  maxRetries?: number
}

export const SSE_RECONNECT_DEFAULTS = {
  minReconnectionDelay: 1000,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.3,
  minUptime: 5000,
  maxRetries: Number.POSITIVE_INFINITY,
} as const

export interface SseTransportOptions {
  /** The SSE endpoint (e.g. `createSseHandler`'s path); a function is asked again on every attempt. */
  url: UrlProvider
  /**
   * `'runs'` (default): one EventSource per followed run at `url?run=&epoch=&after=`, opened by the client's
   * `subscribe`/`resync`, closed by `unsubscribe` (the reference hub's `createSseHandler`).
   * `'stream'`: one EventSource at `url` as it is, whatever is followed (a foreign backend, with an adapter).
   */
  mode?: 'runs' | 'stream'
  /** Default: the global `EventSource`. Node 20 has none: pass a compatible class. */
  EventSource?: EventSourceConstructor
  withCredentials?: boolean
  reconnect?: SseReconnectOptions
  /** Named SSE events to listen to besides `message` and the protocol's frame types. */
  eventTypes?: string[]
  /** Source of jitter, [0, 1). */
  random?: () => number
  env?: Pick<SchedulerEnv, 'setTimeout' | 'clearTimeout'>
}

// The hub names each event by its frame type (`error` frames as `protocol_error`: see server/sse.ts).
const PROTOCOL_EVENTS = [...Object.keys(eventSchemas), 'heartbeat', 'subscribed', 'protocol_error']

type Query = { epoch?: string; after?: number }

function withQuery(base: string, run: string, query: Query): string {
  const params = new URLSearchParams({ run })
  if (query.epoch !== undefined) params.set('epoch', query.epoch)
  if (query.after !== undefined) params.set('after', String(query.after))
  return `${base}${base.includes('?') ? '&' : '?'}${params}`
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error))

/**
 * Server-Sent Events behind the `Transport` seam. The client's `subscribe`/`resync` frames become
 * EventSource URLs (`?run=&epoch=&after=`: the server replays what follows, or sends a snapshot), so the
 * resume point is exactly the client's last applied seq. The transport, not EventSource, reconnects: on any
 * stream error it closes every stream, reports the loss, waits (full jitter) and opens again, and the
 * client resubscribes each run from where it stands. The server also honours `Last-Event-ID` for plain
 * EventSource clients.
 * @example
 * const client = createProgressClient({ transport: (handlers) => createSseTransport(handlers, { url: '/progress/sse' }) })
 */
export function createSseTransport(handlers: TransportHandlers, options: SseTransportOptions): Transport {
  const reconnect = { ...SSE_RECONNECT_DEFAULTS, ...options.reconnect }
  const random = options.random ?? Math.random
  const env = options.env ?? defaultSchedulerEnv()
  const mode = options.mode ?? 'runs'
  const Source = options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource
  const names = [...new Set(['message', ...PROTOCOL_EVENTS, ...(options.eventTypes ?? [])])]
  const streams = new Map<string, EventSourceLike>()
  let closed = false
  let up = false
  let base = ''
  let attempt = 0
  let generation = 0
  let timer: unknown = null
  let uptimeTimer: unknown = null

  // Handlers never run after close(), and a throwing handler never reaches EventSource.
  const call = <A extends unknown[]>(fn: (...args: A) => void, ...args: A) => {
    if (closed) return
    try {
      fn(...args)
    } catch (thrown) {
      queueMicrotask(() => {
        throw thrown
      })
    }
  }

  const clearTimers = () => {
    if (timer !== null) env.clearTimeout(timer)
    if (uptimeTimer !== null) env.clearTimeout(uptimeTimer)
    timer = null
    uptimeTimer = null
  }

  function closeStreams() {
    for (const source of streams.values()) {
      try {
        source.close()
      } catch {}
    }
    streams.clear()
  }

  function open(key: string, url: string) {
    streams.get(key)?.close()
    streams.delete(key)
    const mine = generation
    let source: EventSourceLike
    try {
      source = new Source!(url, options.withCredentials ? { withCredentials: true } : undefined)
    } catch (error) {
      call(handlers.onError, { kind: 'url', detail: message(error) })
      return drop()
    }
    streams.set(key, source)
    // A stale source (replaced, or from before a drop) may still fire: only the current one speaks.
    const current = () => !closed && mine === generation && streams.get(key) === source
    const onMessage = (event: { data?: unknown }) => {
      if (current()) call(handlers.onMessage, event.data)
    }
    for (const name of names) source.addEventListener(name, onMessage)
    source.addEventListener('error', () => {
      if (!current()) return
      call(handlers.onError, { kind: 'socket', detail: `event stream ${key} failed` })
      drop()
    })
  }

  // Any stream failing is a lost connection: every run resumes from its own position on the next open.
  function drop() {
    if (closed || !up) return
    up = false
    generation++
    closeStreams()
    clearTimers()
    call(handlers.onClose, false)
    attempt++
    if (attempt > reconnect.maxRetries) {
      call(handlers.onError, { kind: 'gave-up', attempts: attempt - 1 })
      call(handlers.onClose, true)
      closed = true
      return
    }
    const cap = Math.min(
      reconnect.maxReconnectionDelay,
      reconnect.minReconnectionDelay * reconnect.reconnectionDelayGrowFactor ** (attempt - 1),
    )
    timer = env.setTimeout(connect, random() * cap)
  }

  async function connect() {
    timer = null
    if (closed) return
    call(handlers.onConnecting, attempt)
    try {
      const url = typeof options.url === 'function' ? await options.url() : options.url
      if (typeof url !== 'string' || url.length === 0) throw new Error('url must be a non-empty string')
      base = url
    } catch (error) {
      if (closed) return
      call(handlers.onError, { kind: 'url', detail: message(error) })
      up = true // so that drop() schedules the next attempt
      return drop()
    }
    if (closed) return
    up = true
    uptimeTimer = env.setTimeout(() => {
      uptimeTimer = null
      attempt = 0
    }, reconnect.minUptime)
    if (mode === 'stream') open('stream', base)
    if (up) call(handlers.onOpen)
  }

  if (!Source) {
    closed = true
    queueMicrotask(() => {
      handlers.onError({ kind: 'socket', detail: 'no EventSource class: pass one in options.EventSource' })
      handlers.onClose(true)
    })
    return { send: () => false, close() {}, isOpen: false }
  }
  queueMicrotask(connect)

  return {
    send(text) {
      if (closed || !up) return false
      // A stream has nothing to send to: following is the backend's business there.
      if (mode === 'stream') return true
      let frame: { type?: unknown; run?: unknown; epoch?: unknown; after?: unknown }
      try {
        frame = JSON.parse(text)
      } catch {
        return false
      }
      if (typeof frame.run !== 'string') return false
      if (frame.type === 'unsubscribe') {
        streams.get(frame.run)?.close()
        streams.delete(frame.run)
        return true
      }
      if (frame.type !== 'subscribe' && frame.type !== 'resync') return false
      const query: Query = {}
      if (typeof frame.epoch === 'string') query.epoch = frame.epoch
      if (typeof frame.after === 'number') query.after = frame.after
      open(frame.run, withQuery(base, frame.run, query))
      return up
    },
    close() {
      if (closed) return
      closed = true
      up = false
      clearTimers()
      closeStreams()
    },
    get isOpen() {
      return !closed && up
    },
  }
}
