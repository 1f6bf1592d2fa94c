// @vitest-environment node
import { EventEmitter } from 'node:events'
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { createHangupQueue, createProgressHub, type HangupSocket } from '../../src/server'
import { connectClient, plan, serveHub, type TestClient } from './wire'

/** A Node emitter with a socket's `destroy`: what the queue needs of a `net.Socket`, and nothing else. */
class Peer extends EventEmitter implements HangupSocket {
  destroyed = false
  destroy() {
    this.destroyed = true
  }
}

/** A queue whose turns run only when the test says so, each recording how many sockets it destroyed. */
function steppedQueue(slice: number) {
  const turns: (() => void)[] = []
  const queue = createHangupQueue({ slice, schedule: (fn) => turns.push(fn) })
  return { queue, turns }
}

describe('createHangupQueue', () => {
  it('destroys sockets whose peer hung up, at most a slice per turn', () => {
    const { queue, turns } = steppedQueue(3)
    const peers = Array.from({ length: 7 }, () => new Peer())
    for (const peer of peers) queue.watch(peer)
    for (const peer of peers) peer.emit('end')
    expect(queue.size).toBe(7)
    expect(peers.filter((p) => p.destroyed)).toHaveLength(0)
    const destroyedAfter: number[] = []
    while (turns.length > 0) {
      turns.shift()!()
      destroyedAfter.push(peers.filter((p) => p.destroyed).length)
    }
    expect(destroyedAfter).toEqual([3, 6, 7])
    expect(queue.size).toBe(0)
  })

  it("replaces the socket's own 'end' handling", () => {
    const { queue, turns } = steppedQueue(8)
    const peer = new Peer()
    const ownEnd = vi.fn()
    peer.on('end', ownEnd)
    queue.watch(peer)
    peer.emit('end')
    expect(ownEnd).not.toHaveBeenCalled()
    expect(turns).toHaveLength(1)
  })

  it('skips a socket that was destroyed while it waited', () => {
    const { queue, turns } = steppedQueue(8)
    const peer = new Peer()
    const destroy = vi.spyOn(peer, 'destroy')
    queue.watch(peer)
    peer.emit('end')
    peer.destroyed = true
    turns.shift()!()
    expect(destroy).not.toHaveBeenCalled()
    expect(queue.size).toBe(0)
  })

  it('schedules one turn for a crowd, and a new one for a hang-up after the queue drained', () => {
    const { queue, turns } = steppedQueue(8)
    const peers = Array.from({ length: 5 }, () => new Peer())
    for (const peer of peers) queue.watch(peer)
    for (const peer of peers.slice(0, 4)) peer.emit('end')
    expect(turns).toHaveLength(1)
    turns.shift()!()
    peers[4]!.emit('end')
    expect(turns).toHaveLength(1)
    turns.shift()!()
    expect(peers.every((p) => p.destroyed)).toBe(true)
  })
})

describe('hang-ups over real sockets', () => {
  it('closes every ws socket of a crowd cut at once, a slice per turn, and ws reports each close', async () => {
    const wss = await new Promise<WebSocketServer>((resolve) => {
      const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
        resolve(server),
      )
    })
    const raws: HangupSocket[] = []
    const destroyed = () => raws.filter((raw) => raw.destroyed).length
    const perTurn: number[] = []
    const queue = createHangupQueue({
      slice: 5,
      schedule: (fn) =>
        setTimeout(() => {
          const before = destroyed()
          fn()
          perTurn.push(destroyed() - before)
        }, 0),
    })
    let closes = 0
    wss.on('connection', (socket) => {
      const raw = (socket as unknown as { _socket: HangupSocket })._socket
      raws.push(raw)
      queue.watch(raw)
      socket.on('close', () => closes++)
    })
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
    const clients = await Promise.all(
      Array.from(
        { length: 30 },
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const socket = new WebSocket(url)
            socket.once('open', () => resolve(socket))
            socket.once('error', reject)
          }),
      ),
    )
    try {
      await vi.waitFor(() => expect(wss.clients.size).toBe(30))
      // A FIN from every client, with no close frame: the peers are gone.
      for (const client of clients) (client as unknown as { _socket: { end(): void } })._socket.end()
      await vi.waitFor(() => expect(closes).toBe(30), { timeout: 5000 })
      expect(Math.max(...perTurn)).toBeLessThanOrEqual(5)
      expect(perTurn.reduce((a, b) => a + b, 0)).toBe(30)
      expect(perTurn.length).toBeGreaterThanOrEqual(6)
    } finally {
      for (const client of clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  })

  it('frees the hub of every subscriber whose socket was cut', async () => {
    const hub = createProgressHub<IncomingMessage>()
    const served = await serveHub(hub)
    const clients: TestClient[] = []
    try {
      const run = hub.run('r')
      await run.start(plan)
      for (let i = 0; i < 20; i++) clients.push(await connectClient(served.url))
      for (const c of clients) c.send({ v: 1, type: 'subscribe', run: 'r' })
      await vi.waitFor(() => expect(run.subscribers).toBe(20))
      for (const c of clients.slice(0, 15)) c.socket.terminate()
      await vi.waitFor(() => expect(hub.metrics().connections).toBe(5), { timeout: 5000 })
      expect(run.subscribers).toBe(5)
      await run.phaseStarted('search')
      for (const c of clients.slice(15)) await c.waitFor((f) => f.type === 'phase_started')
    } finally {
      await Promise.all(clients.map((c) => c.close()))
      await served.close()
      await hub.close()
    }
  })
})
