import { createProgressHub } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

describe('subscribed: the acknowledgement of every accepted subscribe and resync (v1.1)', () => {
  it('comes first, before the replay or snapshot, with the head, epoch and the hub heartbeatMs', async () => {
    const hub = createProgressHub({ heartbeatMs: 1234 })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 1 })
    viewer.send({ v: 1, type: 'resync', run: 'r', epoch: run.epoch, after: 2 })
    const ack = { v: 1, type: 'subscribed', run: 'r', head: 2, epoch: run.epoch, heartbeatMs: 1234 }
    expect(viewer.all.map((f) => [f.type, 'seq' in f ? f.seq : null])).toEqual([
      ['subscribed', null],
      ['snapshot', 2],
      ['subscribed', null],
      ['phase_started', 2],
      ['subscribed', null],
    ])
    expect(viewer.acks).toEqual([ack, ack, ack])
    await hub.close()
  })

  it('says head 0 without an epoch for a run with nothing issued, and the run then starts from seq 1', async () => {
    const hub = createProgressHub({ heartbeatMs: 500 })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'later' })
    expect(viewer.all).toEqual([{ v: 1, type: 'subscribed', run: 'later', head: 0, heartbeatMs: 500 }])
    await hub.run('later').start(plan)
    expect(viewer.seqs('later')).toEqual([1])
    await hub.close()
  })

  it('is not sent for a refused subscribe (forbidden, too many)', async () => {
    const hub = createProgressHub({ authorize: (_request, run) => run !== 'secret', maxSubscriptions: 1 })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'secret' })
    viewer.send({ v: 1, type: 'subscribe', run: 'a' })
    viewer.send({ v: 1, type: 'subscribe', run: 'b' })
    await flush()
    expect(viewer.all.map((f) => [f.type, 'code' in f ? f.code : f.run])).toEqual([
      ['error', 'forbidden'],
      ['subscribed', 'a'],
      ['error', 'too_many_subscriptions'],
    ])
    await hub.close()
  })
})

describe('subscribe / resync answers', () => {
  it('sends a snapshot when the log was trimmed past `after`', async () => {
    const hub = createProgressHub({ logLimit: 5 })
    const run = hub.run('r')
    await run.start(plan)
    for (let i = 1; i <= 10; i++) await run.phaseProgress('search', i, 10)
    const fresh = connectMemory(hub)
    // seq 11 is the head; the log keeps 7–11, so after = 6 can still be replayed but after = 5 cannot.
    fresh.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 6 })
    expect(fresh.seqs('r')).toEqual([7, 8, 9, 10, 11])
    const stale = connectMemory(hub)
    stale.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 5 })
    expect(stale.frames).toHaveLength(1)
    expect(stale.frames[0]).toMatchObject({ type: 'snapshot', seq: 11, epoch: run.epoch, state: run.state() })
    await hub.close()
  })

  it('answers a client claiming more than the head with a snapshot, and an up-to-date one with nothing', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    const ahead = connectMemory(hub)
    ahead.send({ v: 1, type: 'resync', run: 'r', epoch: run.epoch, after: 9 })
    expect(ahead.frames.map((f) => f.type)).toEqual(['snapshot'])
    const current = connectMemory(hub)
    current.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 1 })
    expect(current.frames).toEqual([])
    await run.phaseStarted('search')
    expect(current.seqs('r')).toEqual([2])
    await hub.close()
  })

  it('answers a resync on a followed run with the missing tail and keeps live events after it', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 1 })
    await run.phaseStarted('search')
    await run.phaseProgress('search', 1, 3)
    viewer.send({ v: 1, type: 'resync', run: 'r', epoch: run.epoch, after: 1 })
    await run.phaseProgress('search', 2, 3)
    expect(viewer.seqs('r')).toEqual([2, 3, 2, 3, 4])
    await hub.close()
  })

  it('keeps a replay strictly before the live events that follow it during a storm', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    const storm = Promise.all(
      Array.from({ length: 5 }, async (_, t) => {
        for (let done = 1; done <= 40; done++) {
          await run.taskProgress('search', `t${t}`, done, 40)
          if (done % 10 === 0) await flush()
        }
      }),
    )
    const viewers: ReturnType<typeof connectMemory>[] = []
    for (let i = 0; i < 6; i++) {
      await flush()
      const viewer = connectMemory(hub)
      const after = Math.max(0, run.head - 3)
      viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after })
      viewers.push(viewer)
    }
    await storm
    for (const viewer of viewers) {
      const seqs = viewer.seqs('r')
      expect(seqs.at(-1)).toBe(201)
      // Contiguous from the first replayed seq: no hole, no duplicate, no live event before the replay.
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i))
    }
    await hub.close()
  })

  it('stops sending a run after unsubscribe, other runs go on', async () => {
    const hub = createProgressHub()
    const a = hub.run('a')
    const b = hub.run('b')
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'a' })
    viewer.send({ v: 1, type: 'subscribe', run: 'b' })
    await a.start(plan)
    await b.start(plan)
    viewer.send({ v: 1, type: 'unsubscribe', run: 'a' })
    await a.phaseStarted('search')
    await b.phaseStarted('search')
    expect(viewer.seqs('a')).toEqual([1])
    expect(viewer.seqs('b')).toEqual([1, 2])
    expect(a.subscribers).toBe(0)
    expect(b.subscribers).toBe(1)
    await hub.close()
  })

  it('drops a held subscription for a run nobody publishes once the client leaves', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'ghost' })
    expect(hub.metrics().runs).toBe(1)
    viewer.connection.closed()
    expect(hub.metrics()).toMatchObject({ runs: 0, connections: 0 })
    await hub.close()
  })

  it('limits the runs one connection may follow', async () => {
    const hub = createProgressHub({ maxSubscriptions: 2 })
    const viewer = connectMemory(hub)
    for (const run of ['a', 'b', 'c']) viewer.send({ v: 1, type: 'subscribe', run })
    expect(viewer.frames).toEqual([
      expect.objectContaining({ type: 'error', code: 'too_many_subscriptions', run: 'c' }),
    ])
    expect(hub.metrics().runs).toBe(2)
    await hub.close()
  })
})
