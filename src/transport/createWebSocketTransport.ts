import ReconnectingWebSocket from 'reconnecting-websocket'
import { callHost, thrownMessage } from './callHost'
import { createReconnectPolicy, RECONNECT_DEFAULTS, type ReconnectOptions } from './createReconnectPolicy'
import type { TransportTimers } from './hostTimers'
import type { Transport, TransportHandlers, UrlProvider } from './transport'

/** What the transport needs of a WebSocket class: the browser's, or `ws`'s in Node. */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): unknown
  readonly CLOSING: number
}

export interface WebSocketTransportOptions {
  url: UrlProvider
  protocols?: string | string[]
  /** Default: the global `WebSocket`. Node 20 has none: pass `ws`'s. */
  WebSocket?: WebSocketConstructor
  reconnect?: ReconnectOptions
  /** Source of jitter, [0, 1). */
  random?: () => number
  env?: TransportTimers
}

const noop = () => {}
const OPEN = 1

// A discarded `ws` socket may still emit `error` after the library removed its listeners; an
// EventEmitter with no `error` listener throws, so every socket gets one that swallows it.
function guarded(Base: WebSocketConstructor): WebSocketConstructor {
  const Parent = Base as unknown as new (
    ...args: unknown[]
  ) => { addEventListener?: (...a: unknown[]) => void }
  return class GuardedWebSocket extends Parent {
    constructor(url: string, protocols?: string | string[]) {
      super(...(protocols === undefined ? [url] : [url, protocols]))
      this.addEventListener?.('error', noop)
    }
  } as unknown as WebSocketConstructor
}

// Checked before the library sees it: a constructor that throws inside its promise chain would stall it.
function checkUrl(url: unknown): string {
  if (typeof url !== 'string') throw new Error(`url is a ${typeof url}`)
  const base = (globalThis as { location?: { href?: string } }).location?.href
  const parsed = new URL(url, base)
  if (!/^(wss?|https?):$/.test(parsed.protocol)) throw new Error(`unsupported protocol ${parsed.protocol}`)
  return url
}

/**
 * A reconnecting WebSocket behind the `Transport` interface: reconnecting-websocket does the socket
 * life cycle, the reconnect policy the backoff (full jitter); this adds URL checks, give-up reporting, a forced
 * `reconnect()` for a silent connection, and silence after `close()`.
 * @example
 * const transport = createWebSocketTransport(handlers, { url: () => `wss://host/live?token=${token()}` })
 */
export function createWebSocketTransport(
  handlers: TransportHandlers,
  options: WebSocketTransportOptions,
): Transport {
  const policy = createReconnectPolicy(options.reconnect, options.random, options.env)
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  let closed = false

  // Handlers never run after close(), and a throwing handler never reaches the socket library.
  const call = <A extends unknown[]>(fn: (...args: A) => void, ...args: A) => {
    if (!closed) callHost(fn, ...args)
  }

  if (!Socket) {
    closed = true
    queueMicrotask(() => {
      handlers.onError({
        kind: 'socket',
        detail: 'no WebSocket: pass options.WebSocket',
      })
      handlers.onClose(true)
    })
    return { send: () => false, close: noop, reconnect: noop, isOpen: false }
  }

  // The library asks for a URL before every attempt, after its own (zero) delay: its only async hook, so the
  // policy's backoff is awaited here.
  async function nextUrl(): Promise<string> {
    for (;;) {
      if (closed) return ''
      if (policy.exhausted()) {
        call(handlers.onError, { kind: 'gave-up', attempts: policy.attempt - 1 })
        call(handlers.onClose, true)
        closed = true
        socket.close()
        return ''
      }
      call(handlers.onConnecting, policy.attempt)
      await policy.sleep()
      if (closed) return ''
      try {
        const url = typeof options.url === 'function' ? await options.url() : options.url
        return checkUrl(url)
      } catch (error) {
        call(handlers.onError, { kind: 'url', detail: thrownMessage(error) })
        policy.failed()
      }
    }
  }

  // The library keeps the socket life cycle and connectionTimeout; delays, retries and uptime are the policy's.
  const socket = new ReconnectingWebSocket(nextUrl, options.protocols, {
    WebSocket: guarded(Socket),
    connectionTimeout: options.reconnect?.connectionTimeout ?? RECONNECT_DEFAULTS.connectionTimeout,
    minReconnectionDelay: 0,
    maxReconnectionDelay: 0,
    maxRetries: Number.POSITIVE_INFINITY,
    maxEnqueuedMessages: 0,
  })
  socket.binaryType = 'arraybuffer'
  socket.onopen = () => {
    policy.opened()
    call(handlers.onOpen)
  }
  socket.onmessage = (event) => call(handlers.onMessage, event.data)
  // Every failed attempt and every loss ends here once (the library closes the socket it gives up on).
  socket.onclose = () => {
    policy.failed()
    call(handlers.onClose, false)
  }
  socket.onerror = (event) =>
    call(handlers.onError, { kind: 'socket', detail: event.message || 'socket error' })

  return {
    send(text) {
      if (closed || socket.readyState !== OPEN) return false
      try {
        socket.send(text)
        return true
      } catch {
        return false
      }
    },
    reconnect() {
      // reconnecting-websocket's own: drops the socket without waiting for a close handshake a dead peer never
      // answers, reports the close, and connects again through nextUrl (so the policy's backoff applies).
      if (!closed) socket.reconnect(4000, 'no frame within the heartbeat timeout')
    },
    close() {
      if (closed) return
      closed = true
      policy.cancel()
      try {
        socket.close()
      } catch {
        // Closing a socket that is already going away is not the host's problem.
      }
    },
    get isOpen() {
      return !closed && socket.readyState === OPEN
    },
  }
}
