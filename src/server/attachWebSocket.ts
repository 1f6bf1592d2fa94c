import type { IncomingMessage, Server } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import { type WebSocket, WebSocketServer } from 'ws'
import type { ProgressHub } from './createProgressHub'

export interface AttachWebSocketOptions {
  /** URL path to accept upgrades on (when given a Node HTTP server). */
  path?: string
  /** Largest incoming message `ws` buffers before closing (1009); smaller oversize frames get `bad_frame`. */
  maxPayload?: number
}

/**
 * Hands one `ws` socket to the hub: messages in, close out, and a peer with the socket's `bufferedAmount`.
 * @example
 * wss.on('connection', (socket, request) => acceptWebSocket(hub, socket, request))
 */
export function acceptWebSocket(
  hub: ProgressHub<IncomingMessage>,
  socket: WebSocket,
  request?: IncomingMessage,
) {
  const connection = hub.connect(
    {
      send: (text) => socket.send(text),
      get bufferedAmount() {
        return socket.bufferedAmount
      },
      close: (code, reason) => socket.close(code, reason),
    },
    request,
  )
  socket.on('message', (data) => connection.receive(data))
  socket.on('close', () => connection.closed())
  // The 'close' event follows every error; listening keeps ws from throwing an unhandled 'error'.
  socket.on('error', () => {})
  return connection
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
  const onConnection = (socket: WebSocket, request: IncomingMessage) => acceptWebSocket(hub, socket, request)
  wss.on('connection', onConnection)
  return {
    wss,
    close: () =>
      new Promise<void>((resolve) => {
        wss.off('connection', onConnection)
        for (const client of wss.clients) client.terminate()
        if (owned) wss.close(() => resolve())
        else resolve()
      }),
  }
}
