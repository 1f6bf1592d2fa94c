import { applyEvent, createRunState } from '../../src/core/applyEvent'
import type { RunState, SequencedFrame } from '../../src/protocol/types'
import { createProgressHub, PublishError } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

describe('run publisher', () => {
  it('gives 1,000 concurrent mutations from 10 tasks contiguous seqs and loses none', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'storm' })
    const run = hub.run('storm')
    await run.start(plan)
    // Ten parallel "searches", each reporting 100 steps with awaits in between, like real async work.
    const tasks = Array.from({ length: 10 }, async (_, t) => {
      const seqs: number[] = []
      for (let done = 1; done <= 100; done++) {
        if (done % 7 === 0) await tick()
        seqs.push(await run.taskProgress('search', `task-${t}`, done, 100, `query ${t}`))
      }
      return seqs
    })
    const perTask = await Promise.all(tasks)
    const all = perTask.flat().sort((a, b) => a - b)
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2))
    // Each task's own calls keep their order.
    for (const seqs of perTask) expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    expect(run.head).toBe(1001)
    const search = run.state().phases[0]!
    expect(search).toMatchObject({ status: 'active', done: 1000, total: 1000 })
    expect(search.tasks).toHaveLength(10)
    expect(search.tasks!.every((task) => task.done === 100)).toBe(true)
    // The viewer got every event once, in order, and rebuilding the state from them gives the hub's state.
    expect(viewer.seqs('storm')).toEqual(Array.from({ length: 1001 }, (_, i) => i + 1))
    let rebuilt: RunState = createRunState()
    for (const frame of viewer.ofRun('storm')) rebuilt = applyEvent(rebuilt, frame as SequencedFrame).state
    expect(rebuilt).toEqual(run.state())
    expect(hub.metrics().events).toBe(1001)
    await hub.close()
  })

  it('rejects an event the reducer refuses without consuming a seq or sending it', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseProgress('search', 5, 10)
    const before = run.state()
    const refused = run.phaseProgress('search', 3, 10)
    await expect(refused).rejects.toBeInstanceOf(PublishError)
    await expect(refused).rejects.toMatchObject({ reason: 'done_decreased', runId: 'r' })
    await expect(run.phaseStarted('nope')).rejects.toMatchObject({ reason: 'unknown_phase' })
    expect(run.state()).toBe(before)
    expect(await run.phaseProgress('search', 6, 10)).toBe(3)
    expect(viewer.seqs('r')).toEqual([1, 2, 3])
    expect(hub.metrics()).toMatchObject({ events: 3, rejected: 2 })
    await hub.close()
  })

  it('rejects events PROTOCOL forbids on the wire (done > total, empty plan, oversize text)', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await expect(run.start([])).rejects.toMatchObject({ reason: 'invalid_event' })
    await expect(run.start([{ id: 'a', label: 'A', weight: 0 }])).rejects.toMatchObject({
      reason: 'invalid_event',
    })
    await run.start(plan)
    await expect(run.phaseProgress('search', 11, 10)).rejects.toMatchObject({ reason: 'invalid_event' })
    await expect(run.phaseProgress('search', -1, 10)).rejects.toMatchObject({ reason: 'invalid_event' })
    await expect(run.agentThinking('a', 'x'.repeat(5000))).rejects.toMatchObject({ reason: 'invalid_event' })
    expect(run.head).toBe(1)
    await hub.close()
  })

  it('makes a transition atomic: both halves with consecutive seqs, or neither', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    const [seq, other] = await Promise.all([run.transition('search', 'read'), run.agentStarted('a')])
    // Resolves with the seq of its second half.
    expect([seq, other]).toEqual([4, 5])
    expect(viewer.ofRun('r').map((f) => f.type)).toEqual([
      'run_started',
      'phase_started',
      'phase_completed',
      'phase_started',
      'agent_started',
    ])
    // The second half is refused (unknown phase): the first half must not have happened either.
    await expect(run.transition('read', 'missing')).rejects.toMatchObject({ reason: 'unknown_phase' })
    expect(run.state().phases[1]!.status).toBe('active')
    expect(run.head).toBe(5)
    await hub.close()
  })

  it('publishes agent and tool activity and every terminal event ends the run', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan, { title: 'Research' })
    await run.agentStarted('planner')
    await run.agentThinking('planner', 'splitting the question')
    await run.toolExecuting('c1', 'web_search', 'planner')
    await run.toolCompleted('c1', 'web_search', { ok: true, agent: 'planner' })
    await run.agentCompleted('planner', true)
    expect(run.state().activity.map((a) => a.type)).toEqual([
      'agent_started',
      'agent_thinking',
      'tool_completed',
      'agent_completed',
    ])
    await run.fail('boom')
    expect(run.state()).toMatchObject({ status: 'failed', error: 'boom' })
    await expect(run.complete()).rejects.toMatchObject({ reason: 'run_terminal' })
    await expect(hub.run('c').cancel('user')).resolves.toBe(1)
    expect(hub.state('c')).toMatchObject({ status: 'cancelled', error: 'user' })
    await hub.close()
    await expect(hub.run('late').start(plan)).rejects.toMatchObject({ reason: 'hub_closed' })
  })

  it('throws a TypeError for a run id PROTOCOL forbids', () => {
    const hub = createProgressHub()
    expect(() => hub.run('')).toThrow(TypeError)
    expect(() => hub.run('x'.repeat(129))).toThrow(TypeError)
  })
})

describe('run publisher with untyped callers', () => {
  it('refuses unknown types, snapshots and non-objects with invalid_event', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    await run.start(plan)
    const untyped = run.publish as (event: unknown) => Promise<number>
    for (const bad of [
      { type: 'snapshot', state: {} },
      { type: '__proto__' },
      { type: 'explode' },
      null,
      7,
    ]) {
      await expect(untyped(bad)).rejects.toMatchObject({ name: 'PublishError', reason: 'invalid_event' })
    }
    await expect(
      untyped({ type: 'phase_progress', phase: 'search', done: Number.NaN, total: 1 }),
    ).rejects.toMatchObject({
      reason: 'invalid_event',
    })
    expect(run.head).toBe(1)
    expect(run.state().status).toBe('running')
    await hub.close()
  })

  it('does not touch the object a caller passed in', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    const body = { type: 'run_started' as const, plan, title: undefined }
    await run.publish(body)
    expect(Object.keys(body)).toEqual(['type', 'plan', 'title'])
    await hub.close()
  })
})

describe('snapshots', () => {
  it('fit in 64 KiB by cutting long texts first (v1.1 decision 4), then dropping the oldest activity', async () => {
    const hub = createProgressHub()
    const run = hub.run('big')
    await run.start(plan)
    for (let i = 0; i < 200; i++) await run.agentThinking('agent', `${i} ${'y'.repeat(4000)}`)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'big' })
    const [snapshot] = viewer.frames
    expect(snapshot).toMatchObject({ type: 'snapshot', seq: 201 })
    if (snapshot?.type !== 'snapshot') throw new Error('expected a snapshot')
    // 200 texts cut to 160 characters fit: every entry stays, the newest last.
    expect(snapshot.state.activity).toHaveLength(200)
    const newest = run.state().activity.at(-1)!
    expect(snapshot.state.activity.at(-1)).toMatchObject({
      seq: newest.seq,
      text: expect.stringMatching(/^199 y+…$/),
    })
    expect(snapshot.state.phases).toEqual(run.state().phases)
    await hub.close()
  })
})
