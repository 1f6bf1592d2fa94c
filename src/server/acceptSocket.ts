import type { HubConnection, HubPeer } from './createConnection'
import type { HangupQueue, HangupSocket } from './createHangupQueue'
import type { PingWatch } from './createPingWatch'
import type { ReceiveQueue } from './createReceiveQueue'
import { consoleWarn, hardenSocketServer } from './hardenSocketServer'

/** What the hub needs of a server-side WebSocket. `ws`'s `WebSocket` fits; typed structurally so the hub imports no Node. */
export interface SocketLike {
  send(text: string): void
  readonly bufferedAmount: number
  close(code?: number, reason?: string): void
  terminate?(): void
  /** Stops reading from the peer (`ws`): a client closed for flooding costs nothing more. */
  pause?(): void
  /** Reads from the peer again, after `pause` (`ws`): the hub pauses a socket whose messages wait past a bound. */
  resume?(): void
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

export interface AcceptSocketOptions {
  /** A socket the hub closed is destroyed this long after, if the closing handshake has not ended it, ms. */
  closeGraceMs?: number
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
  /** Destroys the socket, a slice per turn, when its peer hangs up (`hub.accept` passes the hub's own). */
  hangups?: HangupQueue
  /** Runs the socket's messages and its close within a per-turn budget shared by every socket (`hub.accept` passes the hub's own). */
  receive?: ReceiveQueue
}

export const SOCKET_DEFAULTS = { closeGraceMs: 2_000 } as const

/**
 * Hands one socket to the hub: messages in (binary ones are refused as `bad_frame`, PROTOCOL v1.1 decision 7),
 * close out, and a peer with the socket's `bufferedAmount`; with `pings`, a peer that stops answering pings is
 * terminated (`hub.accept` passes the hub's own). A socket the hub closes, or that sent a frame `ws` refused
 * (1009, 1007, 1002), stops being read when closed for policy or refused, and is destroyed after `closeGraceMs`
 * if the client does not finish the closing handshake (a reader that stopped reading never would: `ws` would
 * keep its queue for 30 s).
 * @example
 * wss.on('connection', (socket, request) => acceptSocket(hub.connect, socket, request))
 */
export function acceptSocket<Request>(
  connect: Connect<Request>,
  socket: SocketLike,
  request?: Request,
  pings?: PingWatch,
  options: AcceptSocketOptions = {},
): HubConnection {
  const later = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms))
  const cancel =
    options.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>))
  let grace: unknown
  // Set once the socket must not be read again (closed for policy, or a frame ws refused): never resumed.
  let stopped = false
  const stopReading = () => {
    stopped = true
    socket.pause?.()
  }
  // Destroys the socket once the grace is over, unless the closing handshake ends it first.
  const cutLater = () => {
    if (grace !== undefined || !socket.terminate) return
    grace = later(() => socket.terminate?.(), options.closeGraceMs ?? SOCKET_DEFAULTS.closeGraceMs)
    ;(grace as { unref?: () => void } | undefined)?.unref?.()
  }
  // ws's net socket: a reply to an answer always comes in a later read than the request it answers, so reads
  // tell a pipelined burst from a client that already saw the answer (a timer-based turn cannot).
  const raw = (
    socket as { _socket?: Partial<HangupSocket> & { on?(event: 'data', listener: () => void): unknown } }
  )._socket
  let reads = 0
  raw?.on?.('data', () => reads++)
  if (options.hangups && raw?.removeAllListeners && raw.once && raw.destroy)
    options.hangups.watch(raw as HangupSocket)
  const connection = connect(
    {
      reads: raw?.on ? () => reads : undefined,
      send: (text) => socket.send(text),
      get bufferedAmount() {
        return socket.bufferedAmount
      },
      close: (code, reason) => {
        if (code === 1008) stopReading()
        socket.close(code, reason)
        cutLater()
      },
    },
    request,
  )
  const lane = options.receive?.lane({
    pause: () => socket.pause?.(),
    resume: () => {
      if (!stopped) socket.resume?.()
    },
  })
  const run = lane ? lane.run : (task: () => void) => task()
  socket.on('message', (data: unknown, isBinary?: boolean) =>
    run(() => connection.receive(data, isBinary === true), (data as { length?: number }).length ?? 0),
  )
  const unwatch = pings?.watch(socket)
  socket.on('close', () => {
    unwatch?.()
    if (grace !== undefined) cancel(grace)
    // After the messages still waiting in the lane, which the connection handles first.
    run(() => connection.closed())
  })
  // ws reports a frame it refused (over maxPayload: 1009, invalid UTF-8: 1007, bad framing: 1002) and closes
  // the socket itself; the rest of such a frame is not read (a 99 MB frame would be). The 'close' event follows
  // every error; listening also keeps ws from throwing an unhandled 'error'.
  socket.on('error', () => {
    stopReading()
    cutLater()
  })
  return connection
}

/**
 * Serves the hub on every connection of `server` until `close()`, which stops accepting and ends the sockets
 * it accepted (the server itself and the hub stay open). A `ws` server is hardened first (see
 * `hardenSocketServer`: messages over 64 KiB refused, with a warning through `warn`; one message per turn).
 */
export function attachSockets<Request>(
  accept: (socket: SocketLike, request: Request) => unknown,
  server: SocketServerLike<Request>,
  warn: (message: string) => void = consoleWarn,
): { close(): Promise<void> } {
  hardenSocketServer(server, warn)
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
