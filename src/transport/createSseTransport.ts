import { eventSchemas } from '../protocol/schemas'
import { callHost, thrownMessage } from './callHost'
import { createReconnectPolicy, RECONNECT_DEFAULTS, type ReconnectOptions } from './createReconnectPolicy'
import type { TransportTimers } from './hostTimers'
import type { Transport, TransportHandlers, UrlProvider } from './transport'

/** What the transport needs of an EventSource: the browser's, or any compatible class in Node. */
export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (event: { data?: unknown }) => void): void
  close(): void
}

export interface EventSourceConstructor {
  new (url: string, init?: { withCredentials?: boolean }): EventSourceLike
}

/** Backoff between reconnects: the same policy (and defaults) as the WebSocket transport's. */
export type SseReconnectOptions = Omit<ReconnectOptions, 'connectionTimeout'>

export const SSE_RECONNECT_DEFAULTS = RECONNECT_DEFAULTS

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
  env?: TransportTimers
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
  const policy = createReconnectPolicy(options.reconnect, options.random, options.env)
  const mode = options.mode ?? 'runs'
  const Source = options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource
  const names = [...new Set(['message', ...PROTOCOL_EVENTS, ...(options.eventTypes ?? [])])]
  const streams = new Map<string, EventSourceLike>()
  let closed = false
  let up = false
  let base = ''
  let generation = 0

  // Handlers never run after close(), and a throwing handler never reaches EventSource.
  const call = <A extends unknown[]>(fn: (...args: A) => void, ...args: A) => {
    if (!closed) callHost(fn, ...args)
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
      call(handlers.onError, { kind: 'url', detail: thrownMessage(error) })
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
    policy.failed()
    call(handlers.onClose, false)
    if (policy.exhausted()) {
      call(handlers.onError, { kind: 'gave-up', attempts: policy.attempt - 1 })
      call(handlers.onClose, true)
      closed = true
      return
    }
    void policy.sleep().then(connect)
  }

  async function connect() {
    if (closed) return
    call(handlers.onConnecting, policy.attempt)
    try {
      const url = typeof options.url === 'function' ? await options.url() : options.url
      if (typeof url !== 'string' || url.length === 0) throw new Error('url must be a non-empty string')
      base = url
    } catch (error) {
      if (closed) return
      call(handlers.onError, { kind: 'url', detail: thrownMessage(error) })
      up = true // so that drop() schedules the next attempt
      return drop()
    }
    if (closed) return
    up = true
    policy.opened()
    if (mode === 'stream') open('stream', base)
    if (up) call(handlers.onOpen)
  }

  if (!Source) {
    closed = true
    queueMicrotask(() => {
      handlers.onError({ kind: 'socket', detail: 'no EventSource class: pass one in options.EventSource' })
      handlers.onClose(true)
    })
    return { send: () => false, close() {}, reconnect() {}, isOpen: false }
  }
  void policy.sleep().then(connect)

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
    // The same as a failed stream: every stream closes, the loss is reported, and the policy says when to open again.
    reconnect: drop,
    close() {
      if (closed) return
      closed = true
      up = false
      policy.cancel()
      closeStreams()
    },
    get isOpen() {
      return !closed && up
    },
  }
}
