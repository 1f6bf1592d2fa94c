import type { ServerFrame } from '../../src/protocol/types'
import { createProgressHub, PublishError } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

const subscribe = (run: string, extra: object = {}) => ({ v: 1, type: 'subscribe', run, ...extra })
const codes = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'error' ? [f.code] : []))

describe('per-connection budgets', () => {
  it('closes a connection with 1008 once its bad frames exceed the refusal budget; others go on', async () => {
    const hub = createProgressHub({ refusalBurst: 5, refusalsPerSecond: 0 })
    const run = hub.run('r')
    await run.start(plan)
    const good = connectMemory(hub)
    good.send(subscribe('r'))
    const flooder = connectMemory(hub)
    for (let i = 0; i < 1000; i++) flooder.send('not json')
    expect(codes(flooder.frames)).toEqual(Array(5).fill('bad_frame'))
    expect(flooder.peer.closedWith).toEqual({ code: 1008, reason: expect.stringContaining('bad_frame') })
    await run.phaseStarted('search')
    expect(good.seqs('r')).toEqual([1, 2])
    expect(hub.metrics()).toMatchObject({ policyCloses: 1, badFrames: 6, connections: 1 })
    await hub.close()
  })

  it('counts forbidden subscribes against the same budget', async () => {
    const hub = createProgressHub({ refusalBurst: 3, refusalsPerSecond: 0, authorize: () => false })
    const prober = connectMemory(hub)
    for (let i = 0; i < 10; i++) prober.send(subscribe(`secret-${i}`))
    expect(codes(prober.frames)).toEqual(['forbidden', 'forbidden', 'forbidden'])
    expect(prober.peer.closedWith?.code).toBe(1008)
    expect(hub.metrics()).toMatchObject({ runs: 0, held: 0 })
    await hub.close()
  })

  it('refills the refusal budget over time: a client that errs now and then is never closed', async () => {
    let now = 0
    const hub = createProgressHub({ refusalBurst: 2, refusalsPerSecond: 1, now: () => now })
    const client = connectMemory(hub)
    for (let i = 0; i < 20; i++) {
      client.send('not json')
      now += 1000
    }
    expect(codes(client.frames)).toHaveLength(20)
    expect(client.peer.closedWith).toBeNull()
    await hub.close()
  })

  it('answers subscribe/unsubscribe frames over the rate budget with rate_limited, then 1008 if they keep coming', async () => {
    const hub = createProgressHub({
      subscribeBurst: 10,
      subscribesPerSecond: 0,
      refusalBurst: 4,
      refusalsPerSecond: 0,
    })
    const flapper = connectMemory(hub)
    for (let i = 0; i < 100; i++) {
      flapper.send(subscribe(`id-${i}`))
      flapper.send({ v: 1, type: 'unsubscribe', run: `id-${i}` })
    }
    expect(codes(flapper.frames)).toEqual(Array(4).fill('rate_limited'))
    expect(flapper.peer.closedWith?.code).toBe(1008)
    expect(hub.metrics()).toMatchObject({ rateLimited: 5, runs: 0, connections: 0 })
    await hub.close()
  })

  it('closes with 1013 a reader whose queued bytes never shrink for sendStallMs, at the next send or heartbeat', async () => {
    let now = 0
    const hub = createProgressHub({ sendStallMs: 30_000, now: () => now })
    const run = hub.run('r')
    await run.start(plan)
    const stuck = connectMemory(hub)
    const fine = connectMemory(hub)
    stuck.send(subscribe('r'))
    fine.send(subscribe('r'))
    // Below maxBufferedBytes, but nothing it is sent ever drains.
    stuck.peer.bufferedAmount = 10_000
    const send = stuck.peer.send
    stuck.peer.send = (text) => {
      stuck.peer.bufferedAmount += text.length
      send(text)
    }
    fine.peer.bufferedAmount = 10_000
    await run.phaseStarted('search')
    now += 20_000
    fine.peer.bufferedAmount = 500 // it drains: progress
    await run.phaseProgress('search', 1, 4)
    now += 20_000
    await run.phaseProgress('search', 2, 4)
    expect(stuck.peer.closedWith).toEqual({ code: 1013, reason: 'not reading: resume later' })
    expect(fine.peer.closedWith).toBeNull()
    expect(fine.seqs('r')).toEqual([1, 2, 3, 4])
    expect(hub.metrics().backpressureCloses).toBe(1)
    await hub.close()
  })
})

describe('heartbeats', () => {
  it('go out a slice of connections per turn of the event loop, every connection once per beat', async () => {
    const later: (() => void)[] = []
    let beat: () => void = () => {}
    const hub = createProgressHub({
      setInterval: (fn) => {
        beat = fn
        return 1
      },
      clearInterval: () => {},
      setTimeout: (fn, ms) => (ms === 0 ? later.push(fn) : 0),
      clearTimeout: () => {},
    })
    await hub.run('r').start(plan)
    const viewers = Array.from({ length: 300 }, () => connectMemory(hub))
    for (const viewer of viewers) viewer.send(subscribe('r'))
    const beats = () => viewers.filter((v) => v.all.some((f) => f.type === 'heartbeat')).length
    beat()
    expect(beats()).toBe(128)
    while (later.length > 0) later.shift()!()
    expect(beats()).toBe(300)
    expect(hub.metrics().heartbeats).toBe(300)
    await hub.close()
  })
})

describe('held subscriptions (ids nobody has started)', () => {
  it('caps them per connection with too_many_subscriptions; started runs do not count', async () => {
    const hub = createProgressHub({ maxHeldPerConnection: 2 })
    await hub.run('started').start(plan)
    const client = connectMemory(hub)
    for (const run of ['a', 'b', 'c', 'started']) client.send(subscribe(run))
    expect(client.ofRun('c')).toEqual([
      expect.objectContaining({ type: 'error', code: 'too_many_subscriptions' }),
    ])
    expect(client.ofRun('started').map((f) => f.type)).toEqual(['snapshot'])
    // Once a producer claims one, it is a run: room for another held id.
    await hub.run('a').start(plan)
    client.send(subscribe('c'))
    expect(client.ofRun('c')).toHaveLength(1)
    expect(hub.metrics()).toMatchObject({ held: 2, heldRefused: 1 })
    await hub.close()
  })

  it('caps them per hub with overloaded, after authorization (a refusal reveals nothing of forbidden ids)', async () => {
    const hub = createProgressHub({ maxHeldRuns: 3, authorize: (_request, runId) => !runId.startsWith('x') })
    const clients = [connectMemory(hub), connectMemory(hub)]
    for (let i = 0; i < 4; i++) clients[i % 2]!.send(subscribe(`id-${i}`))
    clients[0]!.send(subscribe('x-exists'))
    clients[0]!.send(subscribe('x-missing'))
    expect(codes(clients[1]!.frames)).toEqual(['overloaded'])
    expect(codes(clients[0]!.frames)).toEqual(['forbidden', 'forbidden'])
    expect(hub.metrics()).toMatchObject({ held: 3, runs: 3, heldRefused: 1 })
    // A subscriber of a held id leaves: its place is free again.
    clients[0]!.send({ v: 1, type: 'unsubscribe', run: 'id-0' })
    clients[1]!.send(subscribe('id-3'))
    expect(codes(clients[1]!.frames)).toEqual(['overloaded'])
    expect(clients[1]!.ofRun('id-3')).toHaveLength(1)
    expect(hub.metrics().held).toBe(3)
    await hub.close()
  })

  it('hands held subscribers to the run when a producer claims the id: seq 1 onwards, live', async () => {
    const hub = createProgressHub()
    const early = connectMemory(hub)
    early.send(subscribe('later'))
    expect(hub.metrics()).toMatchObject({ held: 1, runs: 1 })
    const run = hub.run('later')
    expect(hub.metrics()).toMatchObject({ held: 0, runs: 1 })
    expect(run.subscribers).toBe(1)
    await run.start(plan)
    await run.phaseStarted('search')
    expect(early.seqs('later')).toEqual([1, 2])
    early.send({ v: 1, type: 'unsubscribe', run: 'later' })
    expect(run.subscribers).toBe(0)
    await hub.close()
  })
})

describe('producers', () => {
  it('refuses calls past maxQueuedPublishes with PublishError overloaded; awaited calls are unaffected', async () => {
    const hub = createProgressHub({ maxQueuedPublishes: 3 })
    const run = hub.run('r')
    const calls = [run.start(plan), run.phaseStarted('search'), run.phaseProgress('search', 1, 2)]
    const refused = run.phaseProgress('search', 2, 2)
    await expect(refused).rejects.toMatchObject({ name: 'PublishError', reason: 'overloaded' })
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3])
    await expect(run.phaseProgress('search', 2, 2)).resolves.toBe(4)
    await hub.close()
  })

  it('every publisher method returns a rejected promise, never a synchronous throw, whatever it is given', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap')
        },
        ownKeys() {
          throw new Error('trap')
        },
      },
    )
    const calls: (() => Promise<unknown>)[] = [
      () => run.publish(hostile as never),
      () => run.publish(null as never),
      () => run.publish(42 as never),
      () => run.publish({ type: 'snapshot' } as never),
      () => run.publish({ type: '__proto__' } as never),
      () => run.start(hostile as never, hostile as never),
      () => run.start(null as never),
      () => run.phaseProgress(hostile as never, Number.NaN, -1),
      () => run.toolCompleted('c', 't', hostile as never),
      () => run.firstSubscriber(hostile as never),
    ]
    for (const call of calls) {
      let result: Promise<unknown> | undefined
      expect(() => {
        result = call()
      }).not.toThrow()
      await expect(result).rejects.toBeInstanceOf(PublishError)
    }
    expect(run.head).toBe(0)
    await expect(run.start(plan)).resolves.toBe(1)
    await hub.close()
  })
})
