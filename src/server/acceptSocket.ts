import type { HubConnection, HubPeer } from './createConnection'
import type { PingWatch } from './createPingWatch'

/** What the hub needs of a server-side WebSocket. `ws`'s `WebSocket` fits; typed structurally so the hub imports no Node. */
export interface SocketLike {
  send(text: string): void
  readonly bufferedAmount: number
  close(code?: number, reason?: string): void
  terminate?(): void
  /** A WebSocket ping frame; with it the hub frees a peer that stops answering (see `pingMs`). */
  ping?(): void
  // biome-ignore lint/suspicious/noExplicitAny: ws's listeners take (data, isBinary), (code, reason) and (error).
  on(event: 'message' | 'close' | 'error' | 'pong', listener: (...args: any[]) => void): unknown
}

/** What `hub.attach` needs of a WebSocket server: `ws`'s `WebSocketServer` fits. */
export interface SocketServerLike<Request> {
  on(event: 'connection', listener: (socket: SocketLike, request: Request) => void): unknown
  off(event: 'connection', listener: (socket: SocketLike, request: Request) => void): unknown
}

type Connect<Request> = (peer: HubPeer, request?: Request) => HubConnection

/**
 * Hands one socket to the hub: messages in, close out, and a peer with the socket's `bufferedAmount`; with
 * `pings`, a peer that stops answering pings is terminated (`hub.accept` passes the hub's own).
 * @example
 * wss.on('connection', (socket, request) => acceptSocket(hub.connect, socket, request))
 */
export function acceptSocket<Request>(
  connect: Connect<Request>,
  socket: SocketLike,
  request?: Request,
  pings?: PingWatch,
): HubConnection {
  const connection = connect(
    {
      send: (text) => socket.send(text),
      get bufferedAmount() {
        return socket.bufferedAmount
      },
      close: (code, reason) => socket.close(code, reason),
    },
    request,
  )
  socket.on('message', (data: unknown, isBinary?: boolean) => connection.receive(data, isBinary === true))
  const unwatch = pings?.watch(socket)
  socket.on('close', () => {
    unwatch?.()
    connection.closed()
  })
  // The 'close' event follows every error; listening keeps ws from throwing an unhandled 'error'.
  socket.on('error', () => {})
  return connection
}

/**
 * Serves the hub on every connection of `server` until `close()`, which stops accepting and ends the sockets
 * it accepted (the server itself and the hub stay open).
 */
export function attachSockets<Request>(
  accept: (socket: SocketLike, request: Request) => unknown,
  server: SocketServerLike<Request>,
): { close(): Promise<void> } {
  const accepted = new Set<SocketLike>()
  const onConnection = (socket: SocketLike, request: Request) => {
    accepted.add(socket)
    socket.on('close', () => accepted.delete(socket))
    accept(socket, request)
  }
  server.on('connection', onConnection)
  return {
    async close() {
      server.off('connection', onConnection)
      for (const socket of [...accepted]) {
        try {
          if (socket.terminate) socket.terminate()
          else socket.close(1001, 'server shutting down')
        } catch {}
      }
      accepted.clear()
    },
  }
}
