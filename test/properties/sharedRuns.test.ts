// @vitest-environment node
import fc from 'fast-check'
import type { RunState } from '../../src/protocol/types'
import { follower, type Instance, startInstance, until } from '../server/redis/harness'
import { plan } from '../server/wire'
import { type RedisServer, startRedis } from '../support/redisServer'

/**
 * The Redis engine under random interleavings: three hubs on one real Redis, producers publishing through any
 * of them at once, a viewer moving between them, Redis's PUB/SUB connections killed. However it goes, the viewer
 * ends with every seq once, in order, and the state of the log applied in order, the one Redis holds.
 */

const RUNS = 12
let redis: RedisServer
const instances: Instance[] = []

beforeAll(async () => {
  redis = await startRedis()
  for (let i = 0; i < 3; i++) instances.push(await startInstance(redis.url, { heartbeatMs: 100 }))
}, 30_000)
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.close()))
  await redis?.dispose()
})

type Step =
  | { kind: 'publish'; via: number; tasks: number }
  | { kind: 'move'; to: number }
  | { kind: 'killPubSub' }
  | { kind: 'pause' }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('publish' as const),
      via: fc.nat(2),
      tasks: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('move' as const), to: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'killPubSub' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'pause' as const }) },
)

let runNumber = 0

describe('runs shared through Redis, under random interleavings', { timeout: 120_000 }, () => {
  it('every viewer ends at the head with each seq once, in order, and the state of the log applied in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { minLength: 5, maxLength: 25 }),
        fc.nat(2),
        async (steps, start) => {
          const run = `prop-${runNumber++}`
          await instances[start]!.hub.run(run).start(plan)
          const viewer = follower(instances[(start + 1) % 3]!.hub, run)
          let task = 0
          // Producers on different instances publish concurrently; each call is awaited only at the end.
          const inFlight: Promise<unknown>[] = []
          for (const step of steps) {
            if (step.kind === 'publish') {
              const batch = Array.from({ length: step.tasks }, () => ({
                type: 'task_progress' as const,
                phase: 'search',
                task: `t${task++}`,
                done: 1,
                total: 1,
              }))
              inFlight.push(instances[step.via]!.hub.run(run).publishPrefix(batch))
            } else if (step.kind === 'move') viewer.moveTo(instances[step.to]!.hub)
            else if (step.kind === 'killPubSub') redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub')
            else await new Promise((resolve) => setTimeout(resolve, 5))
          }
          await Promise.all(inFlight)
          const head = 1 + task
          expect(Number(redis.cli('HGET', instances[0]!.store.keys(run).meta, 'head'))).toBe(head)
          await until(() => viewer.read().seq === head, 10_000, `seq ${head} at the viewer`)
          expect(viewer.gaps).toEqual([])
          expect(viewer.duplicates).toEqual([])
          expect(new Set(viewer.applied.map((e) => e.epoch)).size).toBeLessThanOrEqual(1)
          // The viewer's state, built from its snapshot and events as a client does, is the one Redis holds.
          const stored = JSON.parse(
            redis.cli('HGET', instances[0]!.store.keys(run).meta, 'state'),
          ) as RunState
          expect(viewer.state().phases).toEqual(stored.phases)
          expect(stored.phases[0]!.tasks ?? []).toHaveLength(task)
          viewer.close()
        },
      ),
      { numRuns: RUNS },
    )
  })
})
