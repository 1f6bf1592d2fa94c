import { createMemoryIdempotencyStore } from '../../src/gateway/createIdempotencyStore'
import { createRateBudget } from '../../src/gateway/createRateBudget'
import { matchRoute } from '../../src/gateway/matchRoute'
import { parseServeArgs } from '../../src/gateway/parseServeArgs'

describe('gateway state stays bounded', () => {
  it('the idempotency store forgets answers after their ttl and keeps at most maxEntries', async () => {
    let now = 0
    const store = createMemoryIdempotencyStore({ maxEntries: 3, now: () => now })
    const answer = { status: 200, body: { seq: 1 } }
    await store.set('a', answer, 1000)
    expect(await store.get('a')).toEqual(answer)
    now = 1000
    expect(await store.get('a')).toBeUndefined()
    for (const key of ['b', 'c', 'd', 'e']) await store.set(key, answer, 10_000)
    expect(store.size).toBe(3)
    expect(await store.get('b')).toBeUndefined()
    expect(await store.get('e')).toEqual(answer)
  })

  it('the rate budget lets a burst through, then holds a key to its rate, and keeps at most maxKeys buckets', () => {
    let now = 0
    const budget = createRateBudget({ ratePerSecond: 10, burst: 5, maxKeys: 2, now: () => now })
    expect(budget.take('run', 5)).toBe(0)
    expect(budget.take('run', 1)).toBe(100)
    now = 100
    expect(budget.take('run', 1)).toBe(0)
    // A batch larger than the burst passes from a full bucket, then the debt holds the key back.
    now = 10_000
    expect(budget.take('run', 8)).toBe(0)
    expect(budget.take('run', 1)).toBeGreaterThan(300)
    expect(budget.take('other', 5)).toBe(0)
    budget.take('third', 1)
    // 'run' was the least recently used and was dropped: it starts again with a full bucket.
    expect(budget.take('run', 5)).toBe(0)
    expect(createRateBudget({ ratePerSecond: 0, burst: 1 }).take('x', 1_000_000)).toBe(0)
  })
})

describe('gateway routing and flags', () => {
  it('maps paths to endpoints, run ids percent-encoded or with raw slashes', () => {
    expect(matchRoute('/v1/runs/report-42/events')).toEqual({ name: 'publish', run: 'report-42' })
    expect(matchRoute('/v1/runs/team-7%2Freport/events')).toEqual({ name: 'publish', run: 'team-7/report' })
    expect(matchRoute('/v1/runs/team-7/report')).toEqual({ name: 'run', run: 'team-7/report' })
    expect(matchRoute('/v1/runs/%E0%A4%A/events')).toEqual({ name: 'unknown' })
    expect(matchRoute('/v1/live')).toEqual({ name: 'live' })
    expect(matchRoute('/v2/live')).toEqual({ name: 'unknown' })
  })

  it('reads the hub limits, durations and environment keys', () => {
    const args = parseServeArgs(
      ['--heartbeat', '2s', '--ping', '0', '--log-limit', '50', '--retain', '1m', '--activity-limit', '300'],
      { LIVE_PROGRESS_PUBLISH_KEY: 'k' },
    )
    expect(args).toMatchObject({ port: 8080, host: '127.0.0.1', public: false })
    expect(args.gateway).toMatchObject({ publishKey: 'k' })
    expect(args.gateway.hub).toEqual({
      heartbeatMs: 2000,
      pingMs: 0,
      logLimit: 50,
      retainMs: 60_000,
      limits: { activityLimit: 300, taskLimit: 256 },
    })
    expect(() => parseServeArgs(['--port', '70000'], {})).toThrow(/--port must be an integer/)
    expect(() => parseServeArgs(['--activity-limit', '5000'], {})).toThrow(/from 1 to 1000/)
  })
})
