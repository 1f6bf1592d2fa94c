import type { IncomingMessage, Server } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import { type WebSocket, WebSocketServer } from 'ws'
import { MAX_FRAME_BYTES } from '../protocol/types'
import type { HubConnection } from './createConnection'
import type { ProgressHub } from './createProgressHub'
import { consoleWarn, hardenSocketServer } from './hardenSocketServer'

export interface AttachWebSocketOptions {
  /** URL path to accept upgrades on (when given a Node HTTP server). */
  path?: string
  /**
   * Largest incoming message `ws` takes before closing the socket (1009); at most (and by default) 64 KiB,
   * PROTOCOL's frame limit. Anything larger, here or on a `WebSocketServer` passed in, is lowered to 64 KiB:
   * ws's own default (100 MiB) silently, a value someone set with a warning.
   */
  maxPayload?: number
  /** Where that warning goes (default `console.warn`). */
  onWarning?: (message: string) => void
}

/**
 * Hands one `ws` socket to the hub: messages in, close out, a peer with the socket's `bufferedAmount`, and pings
 * every `pingMs` (the hub's option) that free the peer after two go unanswered.
 * @example
 * wss.on('connection', (socket, request) => acceptWebSocket(hub, socket, request))
 */
export function acceptWebSocket(
  hub: ProgressHub<IncomingMessage>,
  socket: WebSocket,
  request?: IncomingMessage,
): HubConnection {
  return hub.accept(socket, request)
}

/**
 * Serves the hub over `ws`: pass a Node HTTP(S) server (a `WebSocketServer` is created on `path`) or an
 * existing `WebSocketServer`. `close()` stops accepting and closes the sockets (the hub stays open). Either
 * way incoming messages are limited to 64 KiB (see `maxPayload`).
 * @example
 * const server = http.createServer(app)
 * const { close } = attachWebSocket(hub, server, { path: '/progress' })
 */
export function attachWebSocket(
  hub: ProgressHub<IncomingMessage>,
  target: Server | HttpsServer | WebSocketServer,
  options: AttachWebSocketOptions = {},
): { wss: WebSocketServer; close(): Promise<void> } {
  const warn = options.onWarning ?? consoleWarn
  const owned = !(target instanceof WebSocketServer)
  const wss =
    target instanceof WebSocketServer
      ? target
      : new WebSocketServer({
          server: target,
          path: options.path,
          maxPayload: options.maxPayload ?? MAX_FRAME_BYTES,
        })
  // Hardened here so the warning goes to `onWarning`; hub.attach finds nothing left to say.
  hardenSocketServer(wss, warn)
  const attached = hub.attach(wss)
  return {
    wss,
    async close() {
      await attached.close()
      if (owned) await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
