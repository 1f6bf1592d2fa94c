/**
 * The Redis engine: events/s appended through `createRedisStore` (one Lua call per publish) for one hot run and
 * across 1,000 runs, and the latency from a publish on one hub to a viewer on another at 1,000 events/s, side by
 * side with the in-memory hub (a viewer on the publishing hub) in the same process, against a `redis-server`
 * this bench starts on loopback.
 */
import { createProgressHub, type ProgressHub } from '../src/server/createProgressHub'
import { createRedisStore, type RedisStore } from '../src/server/redis/createRedisStore'
import { startRedis } from '../test/support/redisServer'
import { fmt, fmtRatio, percentiles, plainRow, type Row, ratio, type summarize } from './measure'
import { hubPublisher, PLAN, publishThroughput } from './publishThroughput'

/**
 * ms from each publish on `from` to its arrival at a viewer of `to`, at `rate` events/s for `count` events
 * (published in ticks of 10 ms, as a busy producer would).
 */
async function fanOut(from: ProgressHub, to: ProgressHub, run: string, rate: number, count: number) {
  const sentAt = new Map<number, number>()
  const out: number[] = []
  let done: () => void = () => {}
  const finished = new Promise<void>((resolve) => (done = resolve))
  const connection = to.connect({
    bufferedAmount: 0,
    send(text: string) {
      const frame = JSON.parse(text) as { type: string; seq?: number }
      if (frame.type !== 'task_progress') return
      out.push(performance.now() - sentAt.get(frame.seq!)!)
      if (out.length === count) done()
    },
    close() {},
  })
  connection.receive(JSON.stringify({ v: 1, type: 'subscribe', run }))
  const publisher = from.run(run)
  await publisher.start(PLAN)
  // Let the viewer's hub load the run before the clock starts.
  await new Promise((resolve) => setTimeout(resolve, 100))
  const perTick = Math.max(1, Math.round(rate / 100))
  let next = 1
  const timer = setInterval(() => {
    for (let i = 0; i < perTick && next <= count; i++, next++) {
      const seq = next + 1
      sentAt.set(seq, performance.now())
      void publisher.taskProgress('search', 't', next, count)
    }
    if (next > count) clearInterval(timer)
  }, 10)
  await finished
  connection.closed()
  return out
}

export async function benchRedis(options: { events: number; runs: number; reps: number; fanOut: number }) {
  const redis = await startRedis(['--appendonly', 'yes'])
  const stores: RedisStore[] = []
  const hubs: ProgressHub[] = []
  const shared = async () => {
    const store = createRedisStore({ url: redis.url })
    await store.ready()
    stores.push(store)
    const hub = createProgressHub({ heartbeatMs: 60_000, store })
    hubs.push(hub)
    return hub
  }
  try {
    const [a, b] = [await shared(), await shared()]
    const memory = createProgressHub({ heartbeatMs: 60_000 })
    hubs.push(memory)
    const { hot, many, workers } = await publishThroughput(
      { redis: hubPublisher(a), memory: hubPublisher(memory) },
      options,
    )
    const lat = { redis: [] as number[], memory: [] as number[] }
    for (let r = 0; r < options.reps; r++) {
      lat.redis.push(...(await fanOut(a, b, `fan-redis-${r}`, 1000, options.fanOut)))
      lat.memory.push(...(await fanOut(memory, memory, `fan-mem-${r}`, 1000, options.fanOut)))
    }
    const p = percentiles
    const redisLat = p(lat.redis)
    const memLat = p(lat.memory)
    const k = (s: ReturnType<typeof summarize>) => fmt(s, 'k events/s', 1000, 1)
    const rows: Row[] = [
      plainRow(
        `append, one hot run: in-memory hub (${workers} concurrent producers, one event per call)`,
        k(hot.memory),
      ),
      plainRow(
        'append, one hot run: Redis engine (one Lua call per publish, AOF on)',
        k(hot.redis),
        `${fmtRatio(ratio(hot.redis, hot.memory), 3)} of in-memory`,
      ),
      plainRow(
        `append, ${options.runs.toLocaleString('en-US')} runs: in-memory hub (32 producers)`,
        k(many.memory),
      ),
      plainRow(
        `append, ${options.runs.toLocaleString('en-US')} runs: Redis engine`,
        k(many.redis),
        `${fmtRatio(ratio(many.redis, many.memory), 3)} of in-memory`,
      ),
      plainRow(
        'publish → viewer at 1,000 events/s, in-memory hub (viewer on the same hub): p50 / p99',
        `${memLat.p50.toFixed(2)} / ${memLat.p99.toFixed(2)} ms`,
      ),
      plainRow(
        'publish on one instance → viewer on another, Redis fan-out at 1,000 events/s: p50 / p99',
        `${redisLat.p50.toFixed(2)} / ${redisLat.p99.toFixed(2)} ms`,
        `${(redisLat.p50 / memLat.p50).toFixed(1)}× / ${(redisLat.p99 / memLat.p99).toFixed(1)}× the in-memory latency`,
      ),
    ]
    const notes = [
      `Redis: \`redis-server\` ${redis.cli('INFO', 'server').match(/redis_version:(\S+)/)?.[1] ?? ''} on loopback with appendonly yes (fsync every second), started by the bench; both hubs in the bench process, each with its own two connections; ${options.fanOut} events per repetition for fan-out (${lat.redis.length} in all per variant).`,
    ]
    return { rows, notes }
  } finally {
    await Promise.all(hubs.map((hub) => hub.close()))
    await Promise.all(stores.map((store) => store.close()))
    await redis.dispose()
  }
}
