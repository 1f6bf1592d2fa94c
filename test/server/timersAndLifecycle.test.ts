import { createProgressHub } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

describe('heartbeats, retention and waiting for a viewer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('sends a heartbeat with the head and idle time for each followed run every heartbeatMs, started or not', async () => {
    const hub = createProgressHub({ heartbeatMs: 1000 })
    const a = hub.run('a')
    const b = hub.run('b')
    await a.start(plan)
    await b.start(plan)
    await b.phaseStarted('search')
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'a', epoch: a.epoch, after: 1 })
    viewer.send({ v: 1, type: 'subscribe', run: 'b', epoch: b.epoch, after: 2 })
    viewer.send({ v: 1, type: 'subscribe', run: 'not-started' })
    vi.advanceTimersByTime(999)
    expect(viewer.frames).toEqual([])
    vi.advanceTimersByTime(1)
    // idle: ms since the run's last event by the hub's clock; a run with nothing issued has head 0 and no epoch.
    expect(viewer.frames).toEqual([
      { v: 1, type: 'heartbeat', run: 'a', epoch: a.epoch, head: 1, ts: Date.now(), idle: 1000 },
      { v: 1, type: 'heartbeat', run: 'b', epoch: b.epoch, head: 2, ts: Date.now(), idle: 1000 },
      { v: 1, type: 'heartbeat', run: 'not-started', head: 0, ts: Date.now() },
    ])
    await a.phaseStarted('search')
    vi.advanceTimersByTime(1000)
    const beatsOf = (run: string) => viewer.frames.filter((f) => f.type === 'heartbeat' && f.run === run)
    expect(beatsOf('a').map((f) => 'head' in f && f.head)).toEqual([1, 2])
    expect(beatsOf('a').map((f) => 'idle' in f && f.idle)).toEqual([1000, 1000])
    expect(beatsOf('b').map((f) => 'idle' in f && f.idle)).toEqual([1000, 2000])
    viewer.send({ v: 1, type: 'unsubscribe', run: 'a' })
    const count = viewer.frames.length
    vi.advanceTimersByTime(1000)
    expect(viewer.frames.slice(count).map((f) => f.run)).toEqual(['b', 'not-started'])
    expect(hub.metrics().heartbeats).toBe(8)
    await hub.close()
    vi.advanceTimersByTime(5000)
    expect(viewer.frames.length).toBe(count + 2)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('keeps an ended run for retainMs after its last subscriber leaves, then forgets it', async () => {
    const hub = createProgressHub({ retainMs: 60_000 })
    const run = hub.run('r')
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    await run.start(plan)
    await run.complete()
    vi.advanceTimersByTime(120_000)
    expect(hub.state('r')?.status).toBe('completed')
    viewer.connection.closed()
    viewer.connection.closed()
    vi.advanceTimersByTime(59_999)
    expect(hub.metrics().runs).toBe(1)
    // A returning viewer cancels the countdown.
    const again = connectMemory(hub)
    again.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 0 })
    expect(again.seqs('r')).toEqual([1, 2])
    vi.advanceTimersByTime(120_000)
    expect(hub.metrics().runs).toBe(1)
    again.send({ v: 1, type: 'unsubscribe', run: 'r' })
    vi.advanceTimersByTime(60_000)
    expect(hub.metrics().runs).toBe(0)
    expect(hub.state('r')).toBeUndefined()
    // A new run under the same id starts a new epoch from seq 1.
    const next = hub.run('r')
    expect(next.epoch).not.toBe(run.epoch)
    expect(await next.start(plan)).toBe(1)
    await hub.close()
  })

  it('keeps an unfinished run without subscribers (runs outlive their sockets)', async () => {
    const hub = createProgressHub({ retainMs: 1000 })
    const run = hub.run('r')
    await run.start(plan)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    viewer.connection.closed()
    vi.advanceTimersByTime(10_000)
    expect(hub.state('r')?.status).toBe('running')
    await hub.close()
  })

  it('resolves firstSubscriber when a viewer arrives, or false after the timeout', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    const waited = run.firstSubscriber({ timeoutMs: 5000 })
    vi.advanceTimersByTime(1000)
    connectMemory(hub).send({ v: 1, type: 'subscribe', run: 'r' })
    await expect(waited).resolves.toBe(true)
    await expect(run.firstSubscriber()).resolves.toBe(true)
    const lonely = hub.run('lonely').firstSubscriber({ timeoutMs: 5000 })
    vi.advanceTimersByTime(5000)
    await expect(lonely).resolves.toBe(false)
    const forever = hub.run('forever').firstSubscriber()
    await hub.close()
    await expect(forever).resolves.toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('closes every connection with 1001 on hub.close and refuses new ones', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    await hub.close()
    await hub.close()
    expect(viewer.peer.closedWith?.code).toBe(1001)
    const late = connectMemory(hub)
    expect(late.peer.closedWith?.code).toBe(1001)
    expect(hub.metrics().connections).toBe(0)
  })
})
