import type { IncomingMessage } from 'node:http'
import { type WebSocket, WebSocketServer } from 'ws'
import { decodeClientFrame, encodeFrame } from '../../../src/protocol/codec'
import type { ClientFrame, ServerFrame } from '../../../src/protocol/types'

export interface ScriptedConnection {
  socket: WebSocket
  /** Path and query the client asked for (auth tokens live here). */
  path: string
  /** Every client frame received on this connection, decoded. */
  received: ClientFrame[]
  send(frame: ServerFrame | string): void
  /** Sends the frame as a binary message (what a `ws` client hands over as bytes). */
  sendBinary(frame: ServerFrame): void
  /** Drops the TCP connection without a close handshake. */
  kill(): void
  /** Resolves with the n-th client frame (0-based) once it arrives. */
  frame(index: number, timeoutMs?: number): Promise<ClientFrame>
}

export interface ScriptedServer {
  port: number
  url: string
  connections: ScriptedConnection[]
  /** Resolves with the n-th connection (0-based) once the client has made it. */
  connection(index: number, timeoutMs?: number): Promise<ScriptedConnection>
  /** Every frame the client sent, over all connections, in order. */
  allReceived(): ClientFrame[]
  close(): Promise<void>
}

/** Polls `probe` until it returns something other than undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined,
  timeoutMs = 3000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/**
 * A deterministic protocol server: it never sends anything by itself; the test scripts every frame
 * and reads every frame the client sent.
 */
export function startScriptedServer(): Promise<ScriptedServer> {
  return new Promise((resolve) => {
    const connections: ScriptedConnection[] = []
    const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
      const address = wss.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({
        port,
        url: `ws://127.0.0.1:${port}/live`,
        connections,
        connection: (index, timeoutMs = 3000) =>
          waitFor(() => connections[index], timeoutMs, `connection #${index}`),
        allReceived: () => connections.flatMap((c) => c.received),
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate()
            wss.close(() => done())
          }),
      })
    })
    wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      const received: ClientFrame[] = []
      socket.on('error', () => {})
      socket.on('message', (data) => {
        const decoded = decodeClientFrame(data)
        if (decoded.ok) received.push(decoded.frame)
        else throw new Error(`client sent a bad frame: ${decoded.error.detail}`)
      })
      connections.push({
        socket,
        path: request.url ?? '',
        received,
        send: (frame) => socket.send(typeof frame === 'string' ? frame : encodeFrame(frame)),
        sendBinary: (frame) => socket.send(Buffer.from(encodeFrame(frame)), { binary: true }),
        kill: () => socket.terminate(),
        frame: (index, timeoutMs = 3000) =>
          waitFor(() => received[index], timeoutMs, `client frame #${index}`),
      })
    })
  })
}
