import type { IncomingMessage } from 'node:http'
import fc from 'fast-check'
import type { ServerFrame } from '../../src/protocol/types'
import { createProgressHub, type ProgressHubOptions } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { connectClient, plan, serveHub } from './wire'

/** Hub timers whose 0 ms callbacks (the replay pump's turns) run only when the test says so. */
function manualTurns() {
  const queued: (() => void)[] = []
  const intervals: (() => void)[] = []
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        if (ms === 0) queued.push(fn)
        return fn
      },
      clearTimeout: () => {},
      setInterval: (fn: () => void) => {
        intervals.push(fn)
        return fn
      },
      clearInterval: () => {},
    } satisfies Partial<ProgressHubOptions>,
    /** Fires every interval timer once (the heartbeat). */
    beat() {
      for (const fn of intervals) fn()
    },
    /** Runs the callbacks queued so far (one turn of the event loop). */
    turn() {
      for (const fn of queued.splice(0)) fn()
    },
    drain() {
      for (let i = 0; i < 10_000 && queued.length > 0; i++) this.turn()
    },
  }
}

const sequenced = (frames: ServerFrame[], run = 'r') =>
  frames.filter((f): f is ServerFrame & { seq: number } => 'seq' in f && f.run === run)

describe('replays', () => {
  it('sends a snapshot instead of a replay that would cost more (and more than a few frames)', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    for (let i = 1; i <= 400; i++) await run.phaseProgress('search', i, 400, `item ${i} of 400`)
    const near = connectMemory(hub)
    near.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: run.head - 5 })
    expect(near.frames.map((f) => f.type)).toEqual(Array(5).fill('phase_progress'))
    const far = connectMemory(hub)
    far.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 0 })
    expect(far.frames).toEqual([expect.objectContaining({ type: 'snapshot', seq: run.head })])
    expect(hub.metrics()).toMatchObject({ replays: 1, replayedEvents: 5, snapshotsSent: 1 })
    await hub.close()
  })

  it('goes out a chunk per turn, yields between turns, and live events follow it with no gap and no duplicate', async () => {
    const turns = manualTurns()
    const hub = createProgressHub({ ...turns.timers, replayChunkBytes: 500, replayTurnBytes: 1000 })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    // A large state (long activity) makes its snapshot larger than the replay below.
    for (let i = 0; i < 40; i++) await run.agentThinking('a', `${'a thought '.repeat(20)}${i}`)
    for (let i = 1; i <= 30; i++) await run.phaseProgress('search', i, 100)
    const reader = connectMemory(hub)
    reader.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 42 })
    const firstChunk = sequenced(reader.frames).length
    expect(firstChunk).toBeGreaterThan(0)
    expect(firstChunk).toBeLessThan(30)
    expect(hub.metrics().replaying).toBe(1)
    // Published while the replay is under way, and a heartbeat: neither may overtake it.
    await run.phaseProgress('search', 31, 100)
    reader.connection.receive(
      JSON.stringify({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 42 }),
    )
    turns.turn()
    expect(sequenced(reader.frames).length).toBeLessThanOrEqual(firstChunk + 10)
    turns.drain()
    await run.phaseProgress('search', 32, 100)
    const seqs = sequenced(reader.frames).map((f) => f.seq)
    expect(seqs).toEqual(Array.from({ length: run.head - 42 }, (_, i) => 43 + i))
    expect(hub.metrics()).toMatchObject({ replaying: 0, coalesced: 1, snapshotsSent: 0 })
    await hub.close()
  })

  it('turns the rest into a snapshot at the head when the log is trimmed under a slow replay', async () => {
    const turns = manualTurns()
    const hub = createProgressHub({
      ...turns.timers,
      logLimit: 40,
      replayChunkBytes: 300,
      replayTurnBytes: 300,
    })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    for (let i = 0; i < 30; i++) await run.agentThinking('a', `${'a thought '.repeat(20)}${i}`)
    const reader = connectMemory(hub)
    reader.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 12 })
    for (let i = 1; i <= 40; i++) await run.phaseProgress('search', i, 100)
    turns.drain()
    await run.phaseProgress('search', 41, 100)
    const frames = sequenced(reader.frames)
    const snapshotAt = frames.findIndex((f) => f.type === 'snapshot')
    expect(snapshotAt).toBeGreaterThan(0)
    expect(frames.slice(0, snapshotAt).map((f) => f.seq)).toEqual(
      Array.from({ length: snapshotAt }, (_, i) => 13 + i),
    )
    expect(frames.slice(snapshotAt).map((f) => f.seq)).toEqual([run.head - 1, run.head])
    await hub.close()
  })

  it('coalesces a pipelined burst of the same subscribe, and of subscribes whose answer is the same snapshot', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    // A long log of small events: replaying it from far back costs more than the run's snapshot.
    for (let i = 1; i <= 400; i++) await run.phaseProgress('search', i, 400, `item ${i} of 400`)
    const client = connectMemory(hub)
    client.send({ v: 1, type: 'subscribe', run: 'r' })
    for (let i = 0; i < 100; i++)
      client.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 0 })
    for (let i = 0; i < 100; i++) client.send({ v: 1, type: 'resync', run: 'r', epoch: run.epoch, after: i })
    expect(client.all.map((f) => f.type)).toEqual(['subscribed', 'snapshot'])
    expect(hub.metrics()).toMatchObject({ coalesced: 200, snapshotsSent: 1 })
    // Near the head, a replay is cheaper than the snapshot: a client asking from there is answered.
    client.send({ v: 1, type: 'resync', run: 'r', epoch: run.epoch, after: run.head - 2 })
    expect(client.all.slice(2).map((f) => f.type)).toEqual(['subscribed', 'phase_progress', 'phase_progress'])
    await hub.close()
  })

  it('answers a request the client sent after it saw the snapshot, however soon: over ws a burst is one read', async () => {
    // The timer-based turn never advances here: only the socket's reads tell the two requests apart.
    const turns = manualTurns()
    const hub = createProgressHub<IncomingMessage>(turns.timers)
    const served = await serveHub(hub)
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    for (let i = 1; i <= 400; i++) await run.phaseProgress('search', i, 400, `item ${i} of 400`)
    const client = await connectClient(served.url)
    try {
      client.send({ v: 1, type: 'subscribe', run: 'r', epoch: 'an-old-epoch', after: 3 })
      await client.until(() => client.frames.some((f) => f.type === 'snapshot'))
      client.send({ v: 1, type: 'resync', run: 'r', epoch: run.epoch, after: run.head + 10 })
      await client.until(() => client.frames.filter((f) => f.type === 'snapshot').length === 2)
      expect(client.all.map((f) => f.type)).toEqual(['subscribed', 'snapshot', 'subscribed', 'snapshot'])
      expect(hub.metrics().coalesced).toBe(0)
    } finally {
      await client.close()
      await served.close()
      await hub.close()
    }
  })

  it('sends no heartbeat for a run while its replay is under way', async () => {
    const turns = manualTurns()
    const hub = createProgressHub({ ...turns.timers, replayChunkBytes: 200, replayTurnBytes: 200 })
    const run = hub.run('r')
    await run.start(plan)
    for (let i = 0; i < 30; i++) await run.agentThinking('a', `${'a thought '.repeat(20)}${i}`)
    const reader = connectMemory(hub)
    reader.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 20 })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: run.head })
    expect(hub.metrics().replaying).toBe(1)
    turns.beat()
    expect(viewer.frames.map((f) => f.type)).toEqual(['heartbeat'])
    expect(reader.frames.some((f) => f.type === 'heartbeat')).toBe(false)
    turns.drain()
    turns.beat()
    expect(reader.frames.at(-1)).toMatchObject({ type: 'heartbeat', head: run.head })
    expect(sequenced(reader.frames).at(-1)?.seq).toBe(run.head)
    await hub.close()
  })
})

type Step =
  | { kind: 'publish'; count: number; label: number }
  | { kind: 'subscribe'; client: number; back: number; mode: 'after' | 'none' | 'otherEpoch' }
  | { kind: 'unsubscribe'; client: number }
  | { kind: 'turn' }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('publish' as const),
    count: fc.integer({ min: 1, max: 6 }),
    label: fc.nat(120),
  }),
  fc.record({
    kind: fc.constant('subscribe' as const),
    client: fc.nat(2),
    back: fc.nat(20),
    mode: fc.constantFrom('after' as const, 'after' as const, 'none' as const, 'otherEpoch' as const),
  }),
  fc.record({ kind: fc.constant('unsubscribe' as const), client: fc.nat(2) }),
  fc.record({ kind: fc.constant('turn' as const) }),
)

describe('replays interleaved with live events (property)', () => {
  it('any mix of publishes, subscribes from any position, unsubscribes and turns leaves no gap, no duplicate within an answer, and every follower at the head', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 20, maxLength: 80, size: 'max' }),
        fc.integer({ min: 10, max: 120 }),
        fc.integer({ min: 50, max: 2000 }),
        async (steps, logLimit, chunk) => {
          const turns = manualTurns()
          const hub = createProgressHub({
            ...turns.timers,
            logLimit,
            replayChunkBytes: chunk,
            replayTurnBytes: chunk * 2,
            subscribeBurst: 1000,
          })
          const run = hub.run('r')
          await run.start(plan)
          await run.phaseStarted('search')
          // Long activity: replays are often cheaper than the snapshot, so both answers occur.
          for (let i = 0; i < 20; i++) await run.agentThinking('a', `${'context '.repeat(40)}${i}`)
          let done = 0
          const clients = [0, 1, 2].map(() => ({
            peer: connectMemory(hub),
            following: false,
            applied: 0,
            // Seqs received since the last request: strictly increasing, or it was a duplicate.
            lastSince: Number.NEGATIVE_INFINITY,
            seen: 0,
          }))
          const check = () => {
            for (const client of clients) {
              const frames = sequenced(client.peer.frames)
              for (const frame of frames.slice(client.seen)) {
                expect(frame.seq, 'no duplicate within an answer').toBeGreaterThan(client.lastSince)
                client.lastSince = frame.seq
                if (frame.type === 'snapshot') client.applied = Math.max(client.applied, frame.seq)
                else {
                  expect(frame.seq, 'no gap').toBeLessThanOrEqual(client.applied + 1)
                  client.applied = Math.max(client.applied, frame.seq)
                }
              }
              client.seen = frames.length
            }
          }
          for (const s of steps) {
            if (s.kind === 'publish') {
              for (let i = 0; i < s.count; i++) {
                done++
                await run.phaseProgress('search', done, 10_000, 'x'.repeat(s.label))
              }
            } else if (s.kind === 'turn') turns.turn()
            else if (s.kind === 'unsubscribe') {
              const client = clients[s.client]!
              client.peer.send({ v: 1, type: 'unsubscribe', run: 'r' })
              client.following = false
            } else {
              const client = clients[s.client]!
              const position =
                s.mode === 'none'
                  ? {}
                  : s.mode === 'otherEpoch'
                    ? { epoch: 'another', after: client.applied }
                    : { epoch: run.epoch, after: Math.max(0, client.applied - s.back) }
              // A client that follows nothing yet has nothing to resume: it asks from scratch.
              const request = client.applied === 0 ? {} : position
              client.peer.send({ v: 1, type: 'subscribe', run: 'r', ...request })
              client.following = true
              client.lastSince = Number.NEGATIVE_INFINITY
            }
            check()
          }
          turns.drain()
          check()
          for (const client of clients) {
            expect(client.peer.peer.closedWith).toBeNull()
            if (client.following) expect(client.applied).toBe(run.head)
          }
          await hub.close()
        },
      ),
      { numRuns: 100, seed: 13 },
    )
  })
})
