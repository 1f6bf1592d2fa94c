import { createProgressHub, UNWATCHED_DEFAULT_MS } from '../../src/server'
import { connectMemory } from './memoryPeer'

/** What a producer learns about its viewers: how many, the first one, and that all have gone for a while. */

const plan = [{ id: 'search', label: 'Search', weight: 1 }]
const subscribe = (viewer: ReturnType<typeof connectMemory>, run: string) =>
  viewer.send({ v: 1, type: 'subscribe', run })
const unsubscribe = (viewer: ReturnType<typeof connectMemory>, run: string) =>
  viewer.send({ v: 1, type: 'unsubscribe', run })

describe('viewers, for the producer', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  test('unwatched aborts once the run has had no viewer for the given time, and says why', async () => {
    const hub = createProgressHub()
    const run = hub.run('r1')
    await run.start(plan)
    const viewer = connectMemory(hub)
    subscribe(viewer, 'r1')
    expect(run.subscribers).toBe(1)
    const signal = run.unwatched({ afterMs: 5_000 })
    vi.advanceTimersByTime(60_000)
    expect(signal.aborted).toBe(false) // watched all along
    unsubscribe(viewer, 'r1')
    expect(run.subscribers).toBe(0)
    vi.advanceTimersByTime(4_999)
    expect(signal.aborted).toBe(false)
    vi.advanceTimersByTime(1)
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toMatchObject({ name: 'AbortError', message: 'no viewer for 5000 ms' })
    await hub.close()
  })

  test('a viewer back within the time stops the clock; the next absence counts from zero', async () => {
    const hub = createProgressHub()
    const run = hub.run('r1')
    await run.start(plan)
    const viewer = connectMemory(hub)
    const aborted = vi.fn()
    run.unwatched({ afterMs: 10_000 }).addEventListener('abort', aborted)
    vi.advanceTimersByTime(9_000)
    subscribe(viewer, 'r1') // a reconnect, say
    vi.advanceTimersByTime(20_000)
    unsubscribe(viewer, 'r1')
    vi.advanceTimersByTime(9_000)
    expect(aborted).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1_000)
    expect(aborted).toHaveBeenCalledTimes(1)
    await hub.close()
  })

  test('the seed pattern: wait for the first viewer, cancel the task when every viewer has gone', async () => {
    const hub = createProgressHub()
    const run = hub.run('job')
    const ready = run.firstSubscriber({ timeoutMs: 5_000 })
    const viewer = connectMemory(hub)
    subscribe(viewer, 'job')
    expect(await ready).toBe(true)
    await run.start(plan)
    const signal = run.unwatched()
    let cancelled = false
    signal.addEventListener('abort', () => {
      cancelled = true
      void run.cancel('nobody is watching')
    })
    viewer.connection.closed() // the tab closed
    vi.advanceTimersByTime(UNWATCHED_DEFAULT_MS)
    expect(cancelled).toBe(true)
    await vi.waitFor(() => expect(run.state().status).toBe('cancelled'))
    await hub.close()
  })

  test('never aborts once the run ended, nor after the hub closed', async () => {
    const hub = createProgressHub()
    const run = hub.run('r1')
    await run.start(plan)
    const before = run.unwatched({ afterMs: 1_000 })
    await run.complete()
    const after = run.unwatched({ afterMs: 1_000 })
    vi.advanceTimersByTime(10_000)
    expect(before.aborted).toBe(false)
    expect(after.aborted).toBe(false)
    const other = hub.run('r2')
    const closing = other.unwatched({ afterMs: 1_000 })
    await hub.close()
    vi.advanceTimersByTime(10_000)
    expect(closing.aborted).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('hub gauges', () => {
  test('runs by status, agents active, calls in flight and viewers, over every run', async () => {
    const hub = createProgressHub()
    const a = hub.run('a')
    await a.start(plan)
    await a.agentStarted('x')
    await a.agentStarted('y')
    await a.toolExecuting('c1', 'search', 'x')
    await a.toolExecuting('c2', 'search', 'y')
    await a.toolCompleted('c1', 'search')
    const b = hub.run('b')
    await b.queued(3, { etaMs: 20_000 })
    await b.start(plan)
    const c = hub.run('c')
    await c.start(plan)
    await c.agentStarted('z')
    await c.toolExecuting('c9', 'fetch', 'z')
    await c.fail('boom')
    const viewer = connectMemory(hub)
    subscribe(viewer, 'a')
    subscribe(viewer, 'b')
    subscribe(connectMemory(hub), 'a')
    subscribe(viewer, 'nobody-yet')
    expect(hub.metrics()).toMatchObject({
      runsByStatus: { pending: 1, queued: 1, running: 1, completed: 0, failed: 1, cancelled: 0 },
      agentsActive: 2,
      callsInFlight: 1,
      viewers: 4,
      connections: 2,
    })
    await hub.close()
  })

  test('phase_started announces tasks and queued carries its wait, through the publisher', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search', { tasks: 6 })
    await run.queued(2, { etaMs: 45_000 })
    expect(run.state()).toMatchObject({ status: 'queued', queuePosition: 2, queueEtaMs: 45_000 })
    expect(run.state().phases[0]).toMatchObject({ status: 'active', taskCount: 6 })
    await run.taskProgress('search', 't1', 1, 4)
    expect(run.state().status).toBe('running')
    await hub.close()
  })

  test('an unmatched end is refused to the producer with its reason, and changes nothing', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    await run.agentStarted('x')
    await run.agentCompleted('x')
    const head = run.head
    await expect(run.agentCompleted('x')).rejects.toMatchObject({
      name: 'PublishError',
      reason: 'unmatched_end',
    })
    await expect(run.toolCompleted('never', 'search')).rejects.toMatchObject({ reason: 'unmatched_end' })
    expect(run.head).toBe(head)
    expect(run.state().agents).toEqual({ active: 0, completed: 1, failed: 0 })
    expect(hub.metrics().rejected).toBe(2)
    await hub.close()
  })
})
