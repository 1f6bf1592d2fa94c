// @vitest-environment node
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRunState } from '../../../src/core/applyEvent'
import { encodeFrame } from '../../../src/protocol/codec'
import { createRedisStore, parseStoreMessage } from '../../../src/server/redis/createRedisStore'
import { APPEND_SCRIPT } from '../../../src/server/redis/scripts'
import { runBin } from '../../gateway/startServe'
import { type RedisServer, startRedis } from '../../support/redisServer'
import { plan } from '../wire'
import { follower, type Instance, startInstance, until } from './harness'

const servers: RedisServer[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
  await Promise.all(servers.splice(0).map((server) => server.dispose()))
})
async function redis(settings: string[] = []) {
  const made = await startRedis(settings)
  servers.push(made)
  return made
}
async function instance(server: RedisServer, logLimit?: number): Promise<Instance> {
  const made = await startInstance(server.url, logLimit === undefined ? {} : { logLimit })
  closers.push(made.close)
  return made
}

const event = (run: string, epoch: string, seq: number) =>
  encodeFrame({
    v: 1,
    type: 'phase_progress',
    run,
    epoch,
    seq,
    ts: 1,
    phase: 'search',
    done: seq,
    total: 1000,
  })

describe('createRedisStore', { timeout: 30_000 }, () => {
  it('appends only at the epoch and head it was staged against, and creates a run only when asked', async () => {
    const server = await redis()
    const store = createRedisStore({ url: server.url })
    closers.push(store.close)
    const state = createRunState()
    const first = { epoch: 'e1', after: 0, texts: [event('r', 'e1', 1)], state, ts: 1 }
    expect(await store.append('r', { ...first, create: false })).toEqual({ ok: false, epoch: null, head: 0 })
    expect(await store.append('r', { ...first, create: true })).toEqual({ ok: true, epoch: 'e1', head: 1 })
    // Staged against head 0 again (another instance got there first): refused with where the run is.
    expect(await store.append('r', { ...first, create: true })).toEqual({ ok: false, epoch: 'e1', head: 1 })
    expect(await store.append('r', { ...first, epoch: 'e0', after: 1, create: false })).toMatchObject({
      ok: false,
      epoch: 'e1',
    })
    const texts = [event('r', 'e1', 2), event('r', 'e1', 3)]
    expect(await store.append('r', { epoch: 'e1', after: 1, create: false, texts, state, ts: 2 })).toEqual({
      ok: true,
      epoch: 'e1',
      head: 3,
    })
    expect(await store.read('r', 1, 10)).toEqual(texts)
    // A batch under a key already used appends nothing and answers the head that batch reached.
    const keyed = { epoch: 'e1', after: 3, create: false, state, ts: 3, idempotencyKey: 'k1' }
    expect(await store.append('r', { ...keyed, texts: [event('r', 'e1', 4)] })).toEqual({
      ok: true,
      epoch: 'e1',
      head: 4,
    })
    expect(await store.append('r', { ...keyed, after: 4, texts: [event('r', 'e1', 5)] })).toEqual({
      ok: true,
      epoch: 'e1',
      head: 4,
      replayed: true,
    })
    expect(await store.head('r')).toEqual({ epoch: 'e1', head: 4 })
    // The rotation is a compare-and-set: only the epoch it replaces is replaced.
    expect(await store.rotate('r', 'e0', 'e2')).toBe('e1')
    expect(await store.rotate('r', 'e1', 'e2')).toBe('e2')
    expect(await store.head('r')).toEqual({ epoch: 'e2', head: 4 })
    expect(await store.read('r', 0, 10)).toEqual([])
  })

  it('keeps a stream within logLimit plus trimming slack, with a log TTL below the meta TTL', async () => {
    const server = await redis()
    const a = await instance(server, 100)
    const run = a.hub.run('long')
    await run.start(plan)
    for (let i = 0; i < 1000; i++) await run.phaseProgress('search', i + 1, 1000)
    const { meta, log } = a.store.keys('long')
    const length = Number(server.cli('XLEN', log))
    expect(length).toBeGreaterThanOrEqual(100)
    expect(length).toBeLessThanOrEqual(100 + 100)
    const [metaTtl, logTtl] = [Number(server.cli('PTTL', meta)), Number(server.cli('PTTL', log))]
    expect(logTtl).toBeGreaterThan(0)
    expect(metaTtl).toBeGreaterThan(logTtl)
    // A viewer resuming from before the kept log gets a snapshot, then live events.
    const late = await instance(server, 100)
    const viewer = follower(late.hub, 'long', { epoch: a.hub.peek('long')!.epoch, seq: 3 })
    await until(() => viewer.read().seq === 1001)
    expect(viewer.snapshots).toHaveLength(1)
    viewer.close()
  })

  it('keeps every key of a run in one hash slot: appends and rotations run on a Redis Cluster node', async () => {
    const server = await redis(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'])
    server.cli('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
    await until(() => server.cli('CLUSTER', 'INFO').includes('cluster_state:ok'), 10_000, 'cluster ok')
    const store = createRedisStore({ url: server.url })
    closers.push(store.close)
    const keys = store.keys('run/with:odd}chars{')
    const slots = [keys.meta, keys.log].map((key) => server.cli('CLUSTER', 'KEYSLOT', key))
    expect(new Set(slots).size).toBe(1)
    const state = createRunState()
    const texts = [event('c', 'e1', 1)]
    // A CROSSSLOT error would reject here.
    expect(
      await store.append('c', { epoch: 'e1', after: 0, create: true, texts, state, ts: 1 }),
    ).toMatchObject({
      ok: true,
    })
    expect(await store.rotate('c', 'e1', 'e2')).toBe('e2')
    expect(await store.load('c', 10)).toMatchObject({ epoch: 'e2', head: 1 })
  })

  it('runs the script `live-progress redis-script append` prints, from a plain file with redis-cli, as another language would; hubs serve the event', async () => {
    const server = await redis()
    const a = await instance(server)
    const viewer = follower(a.hub, 'from-cli')
    const printed = await runBin(['redis-script', 'append'])
    expect(printed).toMatchObject({ code: 0, stdout: APPEND_SCRIPT })
    const file = join(server.dir, 'append.lua')
    writeFileSync(file, printed.stdout)
    const { meta, log, channel } = a.store.keys('from-cli')
    const frame = encodeFrame({
      v: 1,
      type: 'run_started',
      run: 'from-cli',
      epoch: 'py-epoch',
      seq: 1,
      ts: 5,
      plan,
    })
    const state = JSON.stringify({ ...createRunState(), status: 'running' })
    const args = ['py-epoch', '0', '1', state, '1000', '60000', '30000', channel, '5', '60000', frame]
    const out = execFileSync(
      'redis-cli',
      ['-p', String(server.port), '--eval', file, meta, log, ',', ...args],
      { encoding: 'utf8' },
    )
    expect(out.trim().split('\n')).toEqual(['1', 'py-epoch', '1'])
    await until(() => viewer.read().seq === 1)
    expect(viewer.position.epoch).toBe('py-epoch')
    viewer.close()
  })

  it("takes the store's state whole when a writer outside the hub appended an event the rules refuse", async () => {
    const server = await redis()
    const a = await instance(server)
    const run = a.hub.run('outside')
    await run.start(plan)
    await run.phaseProgress('search', 5, 10)
    const viewer = follower(a.hub, 'outside')
    await until(() => viewer.read().seq === 2)
    // Another language's writer, skipping the phase rules: progress goes back, then on.
    const { epoch } = a.hub.peek('outside')!
    const back = createRunState()
    const texts = [3, 4].map((seq) =>
      encodeFrame({
        v: 1,
        type: 'phase_progress',
        run: 'outside',
        epoch,
        seq,
        ts: 9,
        phase: 'search',
        done: seq - 1,
        total: 10,
      }),
    )
    expect(
      await a.store.append('outside', { epoch, after: 2, create: false, texts, state: back, ts: 9 }),
    ).toMatchObject({
      ok: true,
      head: 4,
    })
    await until(() => viewer.read().seq === 4, 5000, "the viewer at the store's head")
    expect(viewer.snapshots.at(-1)).toEqual({ epoch, seq: 4 })
    expect(a.hub.metrics().storeReloads).toBeGreaterThanOrEqual(1)
    viewer.close()
  })

  it('serve refuses a --redis that is not a redis:// URL (exit 2) and names the flag', async () => {
    const bin = await runBin(['serve', '--redis', 'localhost:6379'])
    expect(bin.code).toBe(2)
    expect(bin.stderr).toContain('--redis must be a redis:// or rediss:// URL')
  })

  it('reads fan-out messages and refuses malformed ones', () => {
    expect(parseStoreMessage('e\n3\n{"a":1}\n{"b":2}')).toEqual({
      epoch: 'e',
      first: 3,
      texts: ['{"a":1}', '{"b":2}'],
    })
    expect(parseStoreMessage('e\n7\n')).toEqual({ epoch: 'e', first: 7, texts: [] })
    expect(parseStoreMessage('e\nx\n{}')).toBeNull()
    expect(parseStoreMessage('nothing')).toBeNull()
  })
})
