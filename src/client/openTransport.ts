import { thrownMessage } from '../transport/callHost'
import { createWebSocketTransport } from '../transport/createWebSocketTransport'
import type { Transport, TransportError, TransportHandlers } from '../transport/transport'
import type { ProgressClientOptions } from './createProgressClient'

/**
 * The client's transport for its options: the given factory, else a WebSocket to `url`; or why there is none.
 * Where there is no window (a server rendering a page) only an explicit `WebSocket` or `transport` connects, so a
 * client made at module scope never opens a socket while a page is prerendered.
 * @example
 * const opened = openTransport(handlers, { url: 'wss://example.com/live' })
 */
export function openTransport(
  handlers: TransportHandlers,
  options: ProgressClientOptions,
): { transport: Transport } | { failure: TransportError } {
  const { transport: factory, url, WebSocket } = options
  try {
    if (factory) return { transport: factory(handlers) }
    if (typeof window === 'undefined' && WebSocket === undefined) {
      return {
        failure: { kind: 'socket', detail: 'no window: on a server, pass WebSocket (ws) or a transport' },
      }
    }
    // The transport reads its own options (url, protocols, WebSocket, reconnect, random, env) and no others.
    if (url !== undefined) return { transport: createWebSocketTransport(handlers, { ...options, url }) }
    return { failure: { kind: 'url', detail: 'no url or transport' } }
  } catch (thrown) {
    return { failure: { kind: 'socket', detail: thrownMessage(thrown) } }
  }
}
