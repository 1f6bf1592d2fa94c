// @vitest-environment node
import { createProgressHub, type ProgressHub } from '../../src/server'
import { connectClient, plan, seqsOf, serveHub, type TestClient } from './wire'

describe('hub over a real ws server', () => {
  let hub: ProgressHub<never>
  let served: Awaited<ReturnType<typeof serveHub>>
  const clients: TestClient[] = []
  const client = async () => {
    const c = await connectClient(served.url)
    clients.push(c)
    return c
  }

  beforeEach(async () => {
    hub = createProgressHub<never>()
    served = await serveHub(hub)
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await served.close()
    await hub.close()
  })

  it('serves a subscriber that arrived before the run existed from seq 1', async () => {
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r1' })
    await vi.waitFor(() => expect(hub.metrics().runs).toBe(1))
    const run = hub.run('r1')
    await run.start(plan, { title: 'Late' })
    await run.phaseStarted('search')
    await run.phaseProgress('search', 1, 4)
    await c.until(() => seqsOf(c.frames, 'r1').length === 3)
    expect(c.frames.map((f) => f.type)).toEqual(['run_started', 'phase_started', 'phase_progress'])
    expect(seqsOf(c.frames, 'r1')).toEqual([1, 2, 3])
    expect(c.frames[0]).toMatchObject({ epoch: run.epoch, title: 'Late' })
  })

  it('answers a subscribe without a position with a snapshot at the head, then live events', async () => {
    const run = hub.run('r2')
    await run.start(plan)
    await run.transition('search', 'read')
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r2' })
    const snapshot = await c.waitFor((f) => f.type === 'snapshot')
    expect(snapshot).toMatchObject({ seq: 3, epoch: run.epoch, state: run.state() })
    await run.phaseProgress('read', 1, 2)
    await c.waitFor((f) => f.type === 'phase_progress')
    expect(c.frames.map((f) => f.type)).toEqual(['snapshot', 'phase_progress'])
    expect(seqsOf(c.frames, 'r2')).toEqual([3, 4])
  })

  it('replays only the events after `after` when the epoch matches', async () => {
    const run = hub.run('r3')
    await run.start(plan)
    for (let i = 1; i <= 5; i++) await run.phaseProgress('search', i, 10)
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r3', epoch: run.epoch, after: 3 })
    await c.until(() => seqsOf(c.frames, 'r3').length === 3)
    expect(seqsOf(c.frames, 'r3')).toEqual([4, 5, 6])
    expect(c.frames.every((f) => f.type === 'phase_progress')).toBe(true)
    expect(hub.metrics()).toMatchObject({ replays: 1, replayedEvents: 3, snapshotsSent: 0 })
  })

  it('sends a snapshot to a client of another epoch', async () => {
    const run = hub.run('r4')
    await run.start(plan)
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r4', epoch: 'an-older-epoch', after: 7 })
    const snapshot = await c.waitFor((f) => f.type === 'snapshot')
    expect(snapshot).toMatchObject({ epoch: run.epoch, seq: 1 })
  })
})
