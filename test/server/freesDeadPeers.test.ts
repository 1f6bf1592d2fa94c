// @vitest-environment node
import type { IncomingMessage } from 'node:http'
import { createPingWatch, createProgressHub, type PingableSocket, type ProgressHub } from '../../src/server'
import { connectClient, serveHub, type TestClient } from './wire'

/** A socket that records pings and can answer them. */
function fakeSocket() {
  const listeners: (() => void)[] = []
  const socket = {
    pings: 0,
    terminated: 0,
    ping: () => void socket.pings++,
    terminate: () => void socket.terminated++,
    close: () => {},
    on: (_event: 'pong', listener: () => void) => listeners.push(listener),
    pong: () => {
      for (const listener of listeners) listener()
    },
  }
  return socket satisfies PingableSocket
}

describe('createPingWatch', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())
  const watch = (periodMs = 100) =>
    createPingWatch({
      periodMs,
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
    })

  it('terminates a peer that answers none of two pings, at the third period', () => {
    const pings = watch()
    const dead = fakeSocket()
    pings.watch(dead)
    vi.advanceTimersByTime(200)
    expect([dead.pings, dead.terminated]).toEqual([2, 0])
    vi.advanceTimersByTime(100)
    expect([dead.pings, dead.terminated]).toEqual([2, 1])
    vi.advanceTimersByTime(1000)
    expect(dead.terminated).toBe(1)
    expect(vi.getTimerCount()).toBe(0) // nothing left to watch: the timer stops
  })

  it('keeps a peer that answers, however long it lives, and stops when unwatched', () => {
    const pings = watch()
    const alive = fakeSocket()
    const unwatch = pings.watch(alive)
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(100)
      alive.pong()
    }
    expect([alive.pings, alive.terminated]).toEqual([20, 0])
    unwatch()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('one answer in time is enough: a single missed pong is forgiven', () => {
    const pings = watch()
    const flaky = fakeSocket()
    pings.watch(flaky)
    vi.advanceTimersByTime(200) // two pings out, no answer yet
    flaky.pong()
    vi.advanceTimersByTime(200)
    expect(flaky.terminated).toBe(0)
  })

  it('watches nothing without ping support or with a period of 0', () => {
    const { ping: _, ...pingless } = fakeSocket()
    watch().watch(pingless)
    watch(0).watch(fakeSocket())
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('the hub frees dead WebSocket peers (ws ping/pong)', () => {
  let hub: ProgressHub<IncomingMessage>
  let served: Awaited<ReturnType<typeof serveHub>>
  const clients: TestClient[] = []

  beforeEach(async () => {
    hub = createProgressHub<IncomingMessage>({ heartbeatMs: 5000, pingMs: 40 })
    served = await serveHub(hub)
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await served.close()
    await hub.close()
  })

  it('terminates a peer that stops answering pings and drops its subscriptions; a live peer stays', async () => {
    const live = await connectClient(served.url)
    // A peer whose side of the TCP connection is gone answers no ping; `autoPong: false` plays it.
    const dead = await connectClient(served.url, { autoPong: false })
    clients.push(live, dead)
    for (const c of [live, dead]) c.send({ v: 1, type: 'subscribe', run: 'r' })
    await vi.waitFor(() => expect(hub.run('r').subscribers).toBe(2))
    // Two periods unanswered, freed at the third: well under a second here.
    expect(await dead.waitClosed(2000)).toBe(1006)
    await vi.waitFor(() => expect(hub.metrics().connections).toBe(1))
    expect(hub.run('r').subscribers).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 200)) // 5 more periods
    expect(live.closeCode).toBeNull()
    expect(hub.metrics().connections).toBe(1)
  })
})
