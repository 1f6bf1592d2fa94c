// @vitest-environment node
import type { AddressInfo } from 'node:net'
import { WebSocket, WebSocketServer } from 'ws'
import { decodeFrame } from '../../src/protocol/codec'
import type { ServerFrame } from '../../src/protocol/types'
import { acceptSocket, createProgressHub, createReceiveQueue, type SocketLike } from '../../src/server'
import { plan, seqsOf } from './wire'

/** A queue on a clock the test moves, whose turns run only when the test says so. */
function steppedQueue(budgetMs = 10, maxQueuedBytes = 1000) {
  let now = 0
  const turns: (() => void)[] = []
  const queue = createReceiveQueue({
    budgetMs,
    maxQueuedBytes,
    clock: () => now,
    schedule: (fn) => turns.push(fn),
  })
  const flow = () => {
    const f = { paused: 0, resumed: 0, pause: () => void f.paused++, resume: () => void f.resumed++ }
    return f
  }
  return {
    queue,
    flow,
    turns,
    advance: (ms: number) => {
      now += ms
    },
    nextTurn: () => turns.shift()!(),
  }
}

describe('createReceiveQueue', () => {
  it('runs tasks at once while the turn has budget left', () => {
    const { queue, flow, advance } = steppedQueue()
    const lane = queue.lane(flow())
    const ran: number[] = []
    for (let i = 0; i < 5; i++) {
      lane.run(() => ran.push(i))
      advance(1)
    }
    expect(ran).toEqual([0, 1, 2, 3, 4])
    expect(queue.size).toBe(0)
  })

  it('past the budget, later tasks wait and run a budget per turn, first come first served', () => {
    const { queue, flow, advance, turns, nextTurn } = steppedQueue(10)
    const a = queue.lane(flow())
    const b = queue.lane(flow())
    const ran: string[] = []
    // Each task takes 4 ms of the clock.
    const task = (name: string) => () => {
      ran.push(name)
      advance(4)
    }
    for (let i = 0; i < 4; i++) {
      a.run(task(`a${i}`))
      b.run(task(`b${i}`))
    }
    expect(ran).toEqual(['a0', 'b0', 'a1'])
    expect(queue.size).toBe(5)
    nextTurn()
    expect(ran.slice(3)).toEqual(['b1', 'a2', 'b2'])
    nextTurn()
    expect(ran.slice(6)).toEqual(['a3', 'b3'])
    expect(queue.size).toBe(0)
    expect(turns).toHaveLength(0)
  })

  it("keeps a lane's order: a task waits behind waiting ones even when a new turn has budget", () => {
    const { queue, flow, advance, nextTurn } = steppedQueue(10)
    const lane = queue.lane(flow())
    const ran: number[] = []
    lane.run(() => {
      ran.push(0)
      advance(20)
    })
    lane.run(() => ran.push(1))
    advance(-20)
    lane.run(() => ran.push(2))
    expect(ran).toEqual([0])
    nextTurn()
    expect(ran).toEqual([0, 1, 2])
  })

  it('pauses a lane with more than maxQueuedBytes waiting and resumes it once half is handled', () => {
    const { queue, flow, advance, nextTurn } = steppedQueue(10, 1000)
    const f = flow()
    const lane = queue.lane(f)
    lane.run(() => advance(50), 400)
    for (let i = 0; i < 4; i++) lane.run(() => advance(6), 400)
    expect(f.paused).toBe(1)
    expect(f.resumed).toBe(0)
    nextTurn() // two tasks: 800 bytes left waiting, over half
    expect(f.resumed).toBe(0)
    nextTurn() // the last two: nothing left
    expect(f.resumed).toBe(1)
    expect(queue.size).toBe(0)
  })

  it('goes on with the waiting tasks when one throws', () => {
    const { queue, flow, advance, nextTurn } = steppedQueue(10)
    const lane = queue.lane(flow())
    const ran: number[] = []
    lane.run(() => advance(20))
    lane.run(() => {
      throw new Error('boom')
    })
    lane.run(() => ran.push(2))
    expect(() => nextTurn()).toThrow('boom')
    nextTurn()
    expect(ran).toEqual([2])
  })
})

describe('a hub socket behind a receive queue', () => {
  it('answers every message of a crowd sending at once, each socket in order, and closes after its messages', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    // No budget at all: every message but the first of a turn waits, so the queue is what serves them.
    const queue = createReceiveQueue({
      budgetMs: 0,
      maxQueuedBytes: 64,
      clock: () => performance.now(),
      schedule: (fn) => setTimeout(fn, 0),
    })
    let waitedMost = 0
    const wss = await new Promise<WebSocketServer>((resolve) => {
      const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
        resolve(server),
      )
    })
    wss.on('connection', (socket) => {
      acceptSocket(hub.connect, socket as unknown as SocketLike, undefined, undefined, { receive: queue })
      socket.on('message', () => {
        waitedMost = Math.max(waitedMost, queue.size)
      })
    })
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
    const clients = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<{ socket: WebSocket; frames: ServerFrame[] }>((resolve, reject) => {
            const socket = new WebSocket(url)
            const frames: ServerFrame[] = []
            socket.on('message', (data) => {
              const decoded = decodeFrame(data)
              if (decoded.ok) frames.push(decoded.frame)
            })
            socket.once('open', () => resolve({ socket, frames }))
            socket.once('error', reject)
          }),
      ),
    )
    try {
      // Per socket: subscribe from 0, unsubscribe, subscribe again from 0: answered in that order or not at all.
      for (const { socket } of clients) {
        socket.send(JSON.stringify({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 0 }))
        socket.send(JSON.stringify({ v: 1, type: 'unsubscribe', run: 'r' }))
        socket.send(JSON.stringify({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 0 }))
      }
      await vi.waitFor(() => expect(run.subscribers).toBe(20), { timeout: 5000 })
      await vi.waitFor(
        () => {
          for (const { frames } of clients)
            expect(frames.filter((f) => f.type === 'subscribed')).toHaveLength(2)
        },
        { timeout: 5000 },
      )
      expect(waitedMost).toBeGreaterThan(0)
      for (const { frames } of clients) expect(seqsOf(frames, 'r')).toEqual([1, 1])
      for (const { socket } of clients) socket.terminate()
      await vi.waitFor(() => expect(hub.metrics().connections).toBe(0), { timeout: 5000 })
      expect(run.subscribers).toBe(0)
      expect(queue.size).toBe(0)
    } finally {
      for (const { socket } of clients) socket.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await hub.close()
    }
  })
})
