// @vitest-environment node
import { type RedisServer, startRedis } from '../../support/redisServer'
import { plan } from '../wire'
import { follower, type Instance, startInstance, until } from './harness'

let redis: RedisServer
const instances: Instance[] = []

beforeAll(async () => {
  redis = await startRedis()
}, 20_000)
afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()))
})
afterAll(async () => {
  await redis?.dispose()
})

async function instance(options = {}) {
  const made = await startInstance(redis.url, options)
  instances.push(made)
  return made
}

describe('hubs sharing runs through Redis', { timeout: 30_000 }, () => {
  it('numbers publishes from two hubs in one sequence; a viewer on a third gets it whole, once', async () => {
    const [a, b, c] = [await instance(), await instance(), await instance()]
    const viewer = follower(c.hub, 'shared')
    await a.hub.run('shared').start(plan)
    const publishes: Promise<unknown>[] = []
    for (let i = 0; i < 100; i++) {
      const from = i % 2 === 0 ? a : b
      publishes.push(from.hub.run('shared').taskProgress('search', `t${i}`, 1, 1))
    }
    await Promise.all(publishes)
    await until(() => viewer.read().seq === 101, 10_000, 'seq 101 at the viewer')
    expect(viewer.gaps).toEqual([])
    expect(viewer.duplicates).toEqual([])
    expect(new Set(viewer.applied.map((e) => e.epoch)).size).toBe(1)
    expect(Number(redis.cli('HGET', a.store.keys('shared').meta, 'head'))).toBe(101)
    // Every hub's copy reached the same head and state.
    await until(() => [a, b].every((x) => x.hub.peek('shared')?.seq === 101), 5000, 'heads')
    expect(a.hub.state('shared')).toEqual(b.hub.state('shared'))
    // The two producers raced: refused appends were staged again, never lost.
    expect(a.hub.metrics().storeConflicts + b.hub.metrics().storeConflicts).toBeGreaterThan(0)
    viewer.close()
  })

  it('a viewer that moves to another hub resumes from its position with a replay, no snapshot', async () => {
    const [a, b] = [await instance(), await instance()]
    const run = a.hub.run('moving')
    await run.start(plan)
    const viewer = follower(a.hub, 'moving')
    for (let i = 0; i < 20; i++) await run.taskProgress('search', `t${i}`, 1, 2)
    await until(() => viewer.read().seq === 21)
    const snapshots = viewer.snapshots.length
    viewer.moveTo(b.hub)
    for (let i = 0; i < 20; i++) await run.taskProgress('search', `t${i}`, 2, 2)
    await until(() => viewer.read().seq === 41)
    expect(viewer.gaps).toEqual([])
    expect(viewer.duplicates).toEqual([])
    expect(viewer.snapshots.length, JSON.stringify(viewer.frames().slice(0, 4))).toBe(snapshots)
    viewer.close()
  })

  it('a hub that joins late replays the log from any position', async () => {
    const a = await instance()
    const run = a.hub.run('late')
    await run.start(plan)
    for (let i = 0; i < 50; i++) await run.taskProgress('search', `t${i}`, 1, 1)
    const b = await instance()
    const epoch = a.hub.peek('late')!.epoch
    const viewer = follower(b.hub, 'late')
    await until(() => viewer.read().seq === 51)
    const resumed = follower(b.hub, 'late', { epoch, seq: 10 })
    await until(() => resumed.read().seq === 51)
    expect(resumed.snapshots).toEqual([])
    expect(resumed.applied.map((e) => e.seq)).toEqual(Array.from({ length: 41 }, (_, i) => 11 + i))
    viewer.close()
    resumed.close()
  })

  it('a viewer waiting for a run another hub starts gets it live from seq 1', async () => {
    const [a, b] = [await instance(), await instance()]
    const viewer = follower(b.hub, 'not-yet')
    await new Promise((resolve) => setTimeout(resolve, 100))
    await a.hub.run('not-yet').start(plan)
    await a.hub.run('not-yet').phaseProgress('search', 1, 3)
    await until(() => viewer.read().seq === 2)
    expect(viewer.applied.map((e) => e.seq)).toEqual([1, 2])
    expect(viewer.snapshots).toEqual([])
    viewer.close()
  })

  it('appends a keyed batch once, whichever hub the retry reaches (the first hub died before answering)', async () => {
    const [a, b] = [await instance(), await instance()]
    await a.hub.run('keyed').start(plan)
    const batch = [
      { type: 'task_progress', phase: 'search', task: 'x', done: 1, total: 2 },
      { type: 'task_progress', phase: 'search', task: 'y', done: 1, total: 2 },
    ] as const
    const first = await a.hub.run('keyed').publishPrefix(batch, { idempotencyKey: 'batch-1' })
    expect(first).toMatchObject({ seq: 3, applied: 2 })
    const retry = await b.hub.run('keyed').publishPrefix(batch, { idempotencyKey: 'batch-1' })
    expect(retry).toEqual({ epoch: first.epoch, seq: 3, applied: 0, replayed: true })
    const next = await b.hub.run('keyed').publishPrefix(batch, { idempotencyKey: 'batch-2' })
    expect(next).toMatchObject({ seq: 5, applied: 2 })
    expect(redis.cli('HGET', a.store.keys('keyed').meta, 'head')).toBe('5')
  })
})
