import ReconnectingWebSocket from 'reconnecting-websocket'
import { callHost, thrownMessage } from './callHost'
import type { SchedulerEnv } from './flushScheduler'
import { defaultSchedulerEnv } from './flushScheduler'
import type { Transport, TransportHandlers } from './transport'

/** A URL, or a function giving one (or a promise of one) on every attempt: fresh auth tokens on reconnect. */
export type UrlProvider = string | (() => string) | (() => Promise<string>)

/** What the transport needs of a WebSocket class: the browser's, or `ws`'s in Node. */
export interface WebSocketConstructor {
  new (url: string, protocols?: string | string[]): unknown
  readonly CLOSING: number
}

/** reconnecting-websocket's own option names; the delays get full jitter on top (the library has none). */
export interface ReconnectOptions {
  /** Upper bound of the first retry's delay, ms. */
  minReconnectionDelay?: number
  /** Upper bound of any retry's delay, ms. */
  maxReconnectionDelay?: number
  reconnectionDelayGrowFactor?: number
  /** A connection that stays open this long resets the backoff. */
  minUptime?: number
  /** An attempt that has not opened after this long is abandoned and retried. */
  connectionTimeout?: number
  /** Retries after a loss before giving up for good (status `closed`). */
  maxRetries?: number
}

/** Suits a browser: first retry within 1 s, never more than 10 s apart. */
export const RECONNECT_DEFAULTS = {
  minReconnectionDelay: 1000,
  maxReconnectionDelay: 10_000,
  reconnectionDelayGrowFactor: 1.3,
  minUptime: 5000,
  connectionTimeout: 4000,
  maxRetries: Number.POSITIVE_INFINITY,
} as const

export interface WebSocketTransportOptions {
  url: UrlProvider
  protocols?: string | string[]
  /** Default: the global `WebSocket`. Node 20 has none: pass `ws`'s. */
  WebSocket?: WebSocketConstructor
  reconnect?: ReconnectOptions
  /** Source of jitter, [0, 1). */
  random?: () => number
  env?: Pick<SchedulerEnv, 'setTimeout' | 'clearTimeout'>
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
 * life cycle, this adds full jitter, URL checks, give-up reporting and silence after `close()`.
 * @example
 * const transport = createWebSocketTransport(handlers, { url: () => `wss://host/live?token=${token()}` })
 */
export function createWebSocketTransport(
  handlers: TransportHandlers,
  options: WebSocketTransportOptions,
): Transport {
  const reconnect = { ...RECONNECT_DEFAULTS, ...options.reconnect }
  const random = options.random ?? Math.random
  const env = options.env ?? defaultSchedulerEnv()
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  let closed = false
  let sleeping: { handle: unknown; wake: () => void } | null = null

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
    return { send: () => false, close: noop, isOpen: false }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        sleeping = null
        resolve()
      }
      sleeping = { handle: env.setTimeout(wake, ms), wake }
    })

  // The library calls this before every attempt, after its own (zero) delay: the backoff lives here.
  async function nextUrl(): Promise<string> {
    let attempt = socket.retryCount
    for (;;) {
      if (closed) return ''
      if (attempt > reconnect.maxRetries) {
        call(handlers.onError, { kind: 'gave-up', attempts: attempt - 1 })
        call(handlers.onClose, true)
        closed = true
        socket.close()
        return ''
      }
      call(handlers.onConnecting, attempt)
      if (attempt > 0) {
        const cap = Math.min(
          reconnect.maxReconnectionDelay,
          reconnect.minReconnectionDelay * reconnect.reconnectionDelayGrowFactor ** (attempt - 1),
        )
        await sleep(random() * cap)
      }
      if (closed) return ''
      try {
        const url = typeof options.url === 'function' ? await options.url() : options.url
        return checkUrl(url)
      } catch (error) {
        call(handlers.onError, { kind: 'url', detail: thrownMessage(error) })
        attempt++
      }
    }
  }

  // The library keeps minUptime and connectionTimeout; delays and retries are ours.
  const socket = new ReconnectingWebSocket(nextUrl, options.protocols, {
    ...reconnect,
    WebSocket: guarded(Socket),
    minReconnectionDelay: 0,
    maxReconnectionDelay: 0,
    maxRetries: Number.POSITIVE_INFINITY,
    maxEnqueuedMessages: 0,
  })
  socket.binaryType = 'arraybuffer'
  socket.onopen = () => call(handlers.onOpen)
  socket.onmessage = (event) => call(handlers.onMessage, event.data)
  socket.onclose = () => call(handlers.onClose, false)
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
    close() {
      if (closed) return
      closed = true
      if (sleeping) {
        env.clearTimeout(sleeping.handle)
        sleeping.wake()
      }
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
