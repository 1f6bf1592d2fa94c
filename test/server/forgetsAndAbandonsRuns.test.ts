import { createMemoryPersist, createProgressHub } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

const HOUR = 60 * 60_000

describe('forgotten runs answer unknown_run', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** A run that ran, ended, and was forgotten retainMs after its last subscriber left. */
  async function forgottenRun(hub: ReturnType<typeof createProgressHub>, id = 'r') {
    const run = hub.run(id)
    await run.start(plan)
    await run.complete()
    vi.advanceTimersByTime(60_000)
    expect(hub.state(id)).toBeUndefined()
    return run
  }

  it('tells a late subscriber the run is gone instead of holding it as if unstarted', async () => {
    const hub = createProgressHub({ retainMs: 60_000 })
    const old = await forgottenRun(hub)
    const late = connectMemory(hub)
    late.send({ v: 1, type: 'subscribe', run: 'r', epoch: old.epoch, after: 1 })
    const fresh = connectMemory(hub)
    fresh.send({ v: 1, type: 'subscribe', run: 'r' })
    for (const viewer of [late, fresh]) {
      expect(viewer.frames).toEqual([
        { v: 1, type: 'error', code: 'unknown_run', message: expect.any(String), run: 'r' },
      ])
    }
    expect(hub.metrics()).toMatchObject({ unknownRuns: 2, forgotten: 1 })
    await hub.close()
  })

  it('still holds the subscriber: a new run under the same id reaches it from seq 1 of a new epoch', async () => {
    const hub = createProgressHub({ retainMs: 60_000 })
    const old = await forgottenRun(hub)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: old.epoch, after: 2 })
    const again = hub.run('r')
    expect(again.epoch).not.toBe(old.epoch)
    await again.start(plan)
    expect(viewer.frames.map((f) => f.type)).toEqual(['error', 'run_started'])
    expect(viewer.frames[1]).toMatchObject({ seq: 1, epoch: again.epoch })
    // The id is in use again: nobody else is told it is unknown.
    const other = connectMemory(hub)
    other.send({ v: 1, type: 'subscribe', run: 'r' })
    expect(other.frames.map((f) => f.type)).toEqual(['snapshot'])
    expect(hub.metrics()).toMatchObject({ unknownRuns: 1, forgotten: 0 })
    await hub.close()
  })

  it('says nothing for an id that never ran: the subscription waits for its producer', async () => {
    const hub = createProgressHub({ retainMs: 60_000 })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'soon' })
    viewer.send({ v: 1, type: 'unsubscribe', run: 'soon' })
    // A held subscription that leaves is no forgotten run either.
    viewer.send({ v: 1, type: 'subscribe', run: 'soon' })
    expect(viewer.frames).toEqual([])
    expect(hub.metrics()).toMatchObject({ unknownRuns: 0, forgotten: 0 })
    await hub.close()
  })

  it('asks authorize first: a forbidden client learns nothing, not even that the run is gone', async () => {
    const hub = createProgressHub<{ user: string }>({
      retainMs: 60_000,
      authorize: (request) => request.user === 'owner',
    })
    await forgottenRun(hub)
    const stranger = connectMemory(hub, { user: 'stranger' })
    stranger.send({ v: 1, type: 'subscribe', run: 'r' })
    expect(stranger.frames).toEqual([expect.objectContaining({ type: 'error', code: 'forbidden', run: 'r' })])
    await hub.close()
  })

  it('remembers at most tombstoneLimit ids, the oldest dropped first', async () => {
    const hub = createProgressHub({ retainMs: 60_000, tombstoneLimit: 2 })
    for (const id of ['a', 'b', 'c']) await forgottenRun(hub, id)
    expect(hub.metrics().forgotten).toBe(2)
    const viewer = connectMemory(hub)
    for (const run of ['a', 'b', 'c']) viewer.send({ v: 1, type: 'subscribe', run })
    expect(viewer.frames.map((f) => f.run)).toEqual(['b', 'c'])
    await hub.close()
  })

  it('serves a forgotten run that a store still has, instead of calling it unknown', async () => {
    vi.useRealTimers()
    const store = createMemoryPersist()
    const hub = createProgressHub({ retainMs: 0, persist: store })
    const run = hub.run('r')
    await run.start(plan)
    await run.complete()
    await vi.waitFor(() => expect(hub.metrics().forgotten).toBe(1))
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    await vi.waitFor(() => expect(viewer.frames).toHaveLength(1))
    expect(viewer.frames[0]).toMatchObject({ type: 'snapshot', epoch: run.epoch, seq: 2 })
    expect(hub.metrics().unknownRuns).toBe(0)
    await hub.close()
  })
})

describe('abandoned runs', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('fails a started run nobody follows after abandonMs without an event; it is then retained and forgotten', async () => {
    const hub = createProgressHub({ abandonMs: HOUR, retainMs: 60_000 })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    await vi.advanceTimersByTimeAsync(HOUR - 1)
    expect(run.state().status).toBe('running')
    await vi.advanceTimersByTimeAsync(1)
    expect(run.state()).toMatchObject({ status: 'failed', error: expect.stringMatching(/^abandoned/) })
    expect(run.head).toBe(3)
    expect(hub.metrics().abandoned).toBe(1)
    // A viewer arriving now sees why the bar stopped, not a run that looks alive.
    const late = connectMemory(hub)
    late.send({ v: 1, type: 'subscribe', run: 'r' })
    expect(late.frames[0]).toMatchObject({ type: 'snapshot', seq: 3, state: { status: 'failed' } })
    late.send({ v: 1, type: 'unsubscribe', run: 'r' })
    // A producer that was only slow learns it from its next call.
    await expect(run.phaseProgress('search', 1, 2)).rejects.toMatchObject({ reason: 'run_terminal' })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(hub.metrics()).toMatchObject({ runs: 0, forgotten: 1 })
    await hub.close()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('counts quiet time from the last event: a run that keeps publishing is never abandoned', async () => {
    const hub = createProgressHub({ abandonMs: HOUR })
    const run = hub.run('r')
    await run.start(plan)
    for (let done = 1; done <= 5; done++) {
      await vi.advanceTimersByTimeAsync(HOUR - 1000)
      await run.phaseProgress('search', done, 5)
    }
    expect(run.state().status).toBe('running')
    await vi.advanceTimersByTimeAsync(HOUR)
    expect(run.state().status).toBe('failed')
    expect(hub.metrics().abandoned).toBe(1)
    await hub.close()
  })

  it('never abandons a run someone follows, nor one whose producer waits for a viewer', async () => {
    const hub = createProgressHub({ abandonMs: HOUR })
    const watched = hub.run('watched')
    await watched.start(plan)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'watched' })
    const waiting = hub.run('waiting')
    await waiting.start(plan)
    const seen = waiting.firstSubscriber({ timeoutMs: 3 * HOUR })
    await vi.advanceTimersByTimeAsync(2 * HOUR)
    expect([watched.state().status, waiting.state().status]).toEqual(['running', 'running'])
    // The viewer leaves: the quiet clock runs from the last event, so the run is failed at once.
    viewer.send({ v: 1, type: 'unsubscribe', run: 'watched' })
    await vi.advanceTimersByTimeAsync(1)
    expect(watched.state().status).toBe('failed')
    // The waiting producer gives up; its run has been quiet for 3 hours by then.
    await vi.advanceTimersByTimeAsync(HOUR)
    await expect(seen).resolves.toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(waiting.state().status).toBe('failed')
    expect(hub.metrics().abandoned).toBe(2)
    await hub.close()
  })

  it('leaves queued and unstarted runs alone (a backlog may be long), and abandonMs 0 turns it off', async () => {
    const hub = createProgressHub({ abandonMs: HOUR })
    const queued = hub.run('queued')
    await queued.queued(40)
    hub.run('claimed')
    const off = createProgressHub({ abandonMs: 0 })
    const forever = off.run('forever')
    await forever.start(plan)
    await vi.advanceTimersByTimeAsync(10 * HOUR)
    expect(queued.state().status).toBe('queued')
    expect(hub.state('claimed')?.status).toBe('pending')
    expect(forever.state().status).toBe('running')
    expect(hub.metrics().abandoned + off.metrics().abandoned).toBe(0)
    await hub.close()
    await off.close()
  })

  it('an abandoned run fails through the same log: a resuming viewer gets the failure as the next seq', async () => {
    const hub = createProgressHub({ abandonMs: HOUR })
    const run = hub.run('r')
    await run.start(plan)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 1 })
    viewer.connection.closed()
    await vi.advanceTimersByTimeAsync(HOUR)
    const back = connectMemory(hub)
    back.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 1 })
    expect(back.frames).toEqual([
      expect.objectContaining({ type: 'run_failed', seq: 2, error: expect.stringMatching(/^abandoned/) }),
    ])
    await hub.close()
  })
})
