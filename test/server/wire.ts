import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type ClientOptions, WebSocket } from 'ws'
import { decodeFrame } from '../../src/protocol/codec'
import type { ClientFrame, ServerFrame } from '../../src/protocol/types'
import { attachWebSocket, type ProgressHub } from '../../src/server'

/** A hub served over a real `ws` server on 127.0.0.1, port 0. */
export async function serveHub(hub: ProgressHub<IncomingMessage>, path = '/progress') {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const attached = attachWebSocket(hub, server, { path })
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}${path}`,
    attached,
    async close() {
      await attached.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A raw test client: a `ws` socket that decodes every frame and lets tests wait for the ones they expect. */
export async function connectClient(url: string, options?: ClientOptions) {
  const socket = new WebSocket(url, options)
  /** Everything the hub sent but `subscribed` acknowledgements (those are in `acks`, and all of it in `all`). */
  const frames: ServerFrame[] = []
  const acks: ServerFrame[] = []
  const all: ServerFrame[] = []
  const invalid: unknown[] = []
  const waiters = new Set<() => void>()
  let closeCode: number | null = null
  socket.on('message', (data) => {
    const result = decodeFrame(data)
    if (result.ok) {
      all.push(result.frame)
      ;(result.frame.type === 'subscribed' ? acks : frames).push(result.frame)
    } else invalid.push(result.error)
    for (const wake of [...waiters]) wake()
  })
  socket.on('close', (code) => {
    closeCode = code
    for (const wake of [...waiters]) wake()
  })
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
  })
  function until<T>(check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    return new Promise((resolve, reject) => {
      const wake = () => {
        const value = check()
        if (value !== undefined && value !== false) {
          waiters.delete(wake)
          clearTimeout(timer)
          resolve(value)
        }
      }
      const timer = setTimeout(() => {
        waiters.delete(wake)
        reject(new Error(`timed out; frames: ${JSON.stringify(frames.map((f) => f.type))}`))
      }, timeoutMs)
      waiters.add(wake)
      wake()
    })
  }
  return {
    socket,
    frames,
    acks,
    all,
    invalid,
    get closeCode() {
      return closeCode
    },
    send(frame: ClientFrame | Record<string, unknown> | string) {
      socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
    },
    until,
    /** Waits for a frame matching `match` among those received so far or later. */
    waitFor(match: (frame: ServerFrame) => boolean, timeoutMs?: number) {
      return until(() => frames.find(match), timeoutMs)
    },
    waitClosed(timeoutMs?: number) {
      return until(() => closeCode ?? undefined, timeoutMs)
    },
    close() {
      return new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve()
        socket.once('close', () => resolve())
        socket.close()
      })
    },
  }
}

export type TestClient = Awaited<ReturnType<typeof connectClient>>

/** Seqs of sequenced frames of one run, in arrival order. */
export const seqsOf = (frames: ServerFrame[], run: string) =>
  frames.filter((f) => 'seq' in f && f.run === run).map((f) => (f as { seq: number }).seq)

export const plan = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'read', label: 'Read', weight: 2 },
  { id: 'write', label: 'Write', weight: 1 },
]
