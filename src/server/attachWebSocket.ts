import type { IncomingMessage, Server } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import { type WebSocket, WebSocketServer } from 'ws'
import type { HubConnection } from './createConnection'
import type { ProgressHub } from './createProgressHub'

export interface AttachWebSocketOptions {
  /** URL path to accept upgrades on (when given a Node HTTP server). */
  path?: string
  /** Largest incoming message `ws` buffers before closing (1009); smaller oversize frames get `bad_frame`. */
  maxPayload?: number
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
 * existing `WebSocketServer`. `close()` stops accepting and closes the sockets (the hub stays open).
 * @example
 * const server = http.createServer(app)
 * const { close } = attachWebSocket(hub, server, { path: '/progress' })
 */
export function attachWebSocket(
  hub: ProgressHub<IncomingMessage>,
  target: Server | HttpsServer | WebSocketServer,
  options: AttachWebSocketOptions = {},
): { wss: WebSocketServer; close(): Promise<void> } {
  const owned = !(target instanceof WebSocketServer)
  const wss =
    target instanceof WebSocketServer
      ? target
      : new WebSocketServer({
          server: target,
          path: options.path,
          maxPayload: options.maxPayload ?? 1024 * 1024,
        })
  const attached = hub.attach(wss)
  return {
    wss,
    async close() {
      await attached.close()
      if (owned) await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}
