// @vitest-environment node
import { type RedisServer, startRedis } from '../../support/redisServer'
import { plan } from '../wire'
import { follower, type Instance, startInstance, until } from './harness'

const servers: RedisServer[] = []
const instances: Instance[] = []

async function redis(settings: string[] = []) {
  const made = await startRedis(settings)
  servers.push(made)
  return made
}
async function instance(server: RedisServer) {
  const made = await startInstance(server.url)
  instances.push(made)
  return made
}

afterEach(async () => {
  await Promise.all(instances.splice(0).map((instance) => instance.close()))
  await Promise.all(servers.splice(0).map((server) => server.dispose()))
})

async function publishTasks(run: ReturnType<Instance['hub']['run']>, from: number, count: number) {
  for (let i = from; i < from + count; i++) await run.taskProgress('search', `t${i}`, 1, 1)
}

describe('the Redis engine when Redis fails', { timeout: 40_000 }, () => {
  it('keeps epochs across a Redis restart with AOF: viewers go on with a replay, nothing lost', async () => {
    const server = await redis(['--appendonly', 'yes', '--appendfsync', 'always'])
    const [a, b] = [await instance(server), await instance(server)]
    const run = a.hub.run('aof')
    await run.start(plan)
    const viewer = follower(b.hub, 'aof')
    await publishTasks(run, 0, 10)
    await until(() => viewer.read().seq === 11)
    const { epoch } = viewer.position
    await server.restart()
    await publishTasks(run, 10, 10)
    await until(() => viewer.read().seq === 21, 15_000, 'seq 21 after the restart')
    expect(viewer.position.epoch).toBe(epoch)
    expect(viewer.gaps).toEqual([])
    expect(viewer.duplicates).toEqual([])
    expect(viewer.snapshots).toHaveLength(1)
    viewer.close()
  })

  it('starts a new epoch when Redis lost everything (FLUSHALL): viewers on every hub take a snapshot', async () => {
    const server = await redis()
    const [a, b] = [await instance(server), await instance(server)]
    const run = a.hub.run('flushed')
    await run.start(plan)
    const here = follower(a.hub, 'flushed')
    const there = follower(b.hub, 'flushed')
    await publishTasks(run, 0, 10)
    await until(() => here.read().seq === 11 && there.read().seq === 11)
    const before = here.position.epoch
    server.cli('FLUSHALL')
    await publishTasks(run, 10, 5)
    for (const viewer of [here, there]) {
      await until(() => viewer.read().seq === 16, 10_000, 'seq 16')
      expect(viewer.position.epoch).not.toBe(before)
      expect(viewer.snapshots.at(-1)).toMatchObject({ epoch: viewer.position.epoch })
      expect(viewer.gaps).toEqual([])
    }
    // The state went on from where it was: 15 tasks done, not 5.
    expect(b.hub.state('flushed')!.phases[0]!.tasks).toHaveLength(15)
    expect(server.cli('HGET', a.store.keys('flushed').meta, 'epoch')).toBe(here.position.epoch)
    here.close()
    there.close()
  })

  it('catches a lost tail (Redis restarted from an older save) and rotates the epoch: no seq means two events', async () => {
    const server = await redis()
    const a = await instance(server)
    const run = a.hub.run('tail')
    await run.start(plan)
    await publishTasks(run, 0, 4)
    server.cli('SAVE')
    await publishTasks(run, 4, 5)
    const viewer = follower(a.hub, 'tail')
    await until(() => viewer.read().seq === 10)
    const { epoch } = viewer.position
    // Redis dies and comes back from the save at seq 5: seqs 6–10 are gone from it, not from the viewer.
    await server.stop('SIGKILL')
    await server.restart()
    expect(server.cli('HGET', a.store.keys('tail').meta, 'head')).toBe('5')
    // A viewer resuming on a fresh hub beyond the head it finds is told the truth: a snapshot of a new epoch.
    const c = await instance(server)
    const resumed = follower(c.hub, 'tail', { epoch: epoch!, seq: 10 })
    await until(() => resumed.read() && resumed.snapshots.length === 1, 10_000, 'a snapshot')
    expect(resumed.position.epoch).not.toBe(epoch)
    expect(a.hub.metrics().epochRotations + c.hub.metrics().epochRotations).toBeGreaterThanOrEqual(1)
    // The producer's next event is numbered in the new epoch, and every viewer follows it there.
    await run.taskProgress('search', 'after', 1, 1)
    await until(() => viewer.read().epoch !== epoch, 10_000, 'the viewer to leave the old epoch')
    expect(viewer.position.epoch).toBe(resumed.read().epoch)
    await until(() => resumed.read().seq === viewer.read().seq && viewer.position.seq > 5, 10_000, 'heads')
    viewer.close()
    resumed.close()
  })

  it('resumes delivery when the PUB/SUB connection is killed: heads catch up from the log', async () => {
    const server = await redis()
    const [a, b] = [await instance(server), await instance(server)]
    const run = a.hub.run('killed')
    await run.start(plan)
    const viewer = follower(b.hub, 'killed')
    await until(() => viewer.read().seq === 1)
    server.cli('CLIENT', 'KILL', 'TYPE', 'pubsub')
    await publishTasks(run, 0, 30)
    await until(() => viewer.read().seq === 31, 10_000, 'seq 31 after the kill')
    expect(viewer.gaps).toEqual([])
    expect(viewer.duplicates).toEqual([])
    viewer.close()
  })
})
