import { createProgressHub, PublishError } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

describe('run.publishPrefix (the HTTP publish API rule)', () => {
  it('applies the events before the first refusal, none after it, and reports its index and reason', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'p' })
    const run = hub.run('p')
    const result = await run.publishPrefix([
      { type: 'run_started', plan },
      { type: 'phase_progress', phase: 'search', done: 5, total: 10 },
      { type: 'phase_progress', phase: 'search', done: 3, total: 10 },
      { type: 'phase_progress', phase: 'search', done: 9, total: 10 },
    ])
    expect(result).toMatchObject({ epoch: run.epoch, seq: 2, applied: 2 })
    expect(result.refused?.index).toBe(2)
    expect(result.refused?.error).toBeInstanceOf(PublishError)
    expect(result.refused?.error.reason).toBe('done_decreased')
    expect(viewer.seqs('p')).toEqual([1, 2])
    expect(run.state().phases[0]).toMatchObject({ done: 5, total: 10 })
    expect(hub.metrics()).toMatchObject({ events: 2, rejected: 1 })
    await hub.close()
  })

  it('applies a whole acceptable batch with consecutive seqs', async () => {
    const hub = createProgressHub()
    const run = hub.run('whole')
    const result = await run.publishPrefix([
      { type: 'run_started', plan },
      { type: 'phase_started', phase: 'search' },
      { type: 'task_progress', phase: 'search', task: 'a', done: 1, total: 2, label: undefined },
    ])
    expect(result).toEqual({ epoch: run.epoch, seq: 3, applied: 3 })
    // Undefined optionals are dropped before staging, as with the named methods.
    expect(run.state().phases[0]!.tasks).toEqual([{ id: 'a', done: 1, total: 2 }])
    await hub.close()
  })

  it('refuses a first event without consuming a seq, and an invalid event by the schema', async () => {
    const hub = createProgressHub()
    const run = hub.run('first')
    const refused = await run.publishPrefix([{ type: 'phase_started', phase: 'search' }])
    expect(refused).toMatchObject({ seq: 0, applied: 0, refused: { index: 0 } })
    expect(refused.refused!.error.reason).toBe('unknown_phase')
    const invalid = await run.publishPrefix([
      { type: 'run_started', plan },
      { type: 'phase_progress', phase: 'search', done: 3, total: 2 },
    ])
    expect(invalid).toMatchObject({ seq: 1, applied: 1, refused: { index: 1 } })
    expect(invalid.refused!.error.reason).toBe('invalid_event')
    await hub.close()
  })

  it('keeps transition atomic next to it: a refused second half leaves nothing', async () => {
    const hub = createProgressHub()
    const run = hub.run('atomic')
    await run.start(plan)
    await run.phaseStarted('search')
    await expect(run.transition('search', 'nope')).rejects.toMatchObject({ reason: 'unknown_phase' })
    expect(run.head).toBe(2)
    expect(run.state().phases[0]!.status).toBe('active')
    await hub.close()
  })

  it('serialises prefix batches with single calls from concurrent tasks', async () => {
    const hub = createProgressHub()
    const run = hub.run('mixed')
    await run.start(plan)
    const batches = Array.from({ length: 20 }, (_, t) =>
      run.publishPrefix(
        Array.from({ length: 5 }, (_, i) => ({
          type: 'task_progress' as const,
          phase: 'search',
          task: `t${t}`,
          done: i + 1,
          total: 5,
        })),
      ),
    )
    const singles = Array.from({ length: 20 }, (_, t) => run.taskProgress('search', `s${t}`, 1, 1))
    const results = await Promise.all(batches)
    await Promise.all(singles)
    expect(results.every((r) => r.applied === 5 && r.refused === undefined)).toBe(true)
    expect(run.head).toBe(1 + 100 + 20)
    expect(run.state().phases[0]).toMatchObject({ done: 120, total: 120 })
    await hub.close()
  })
})
