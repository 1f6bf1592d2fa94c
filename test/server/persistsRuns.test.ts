import {
  createMemoryPersist,
  createPersistWriter,
  createProgressHub,
  type PersistedRun,
} from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

describe('persistence', () => {
  it('keeps the epoch and seq across a restart and replays the missing tail', async () => {
    const store = createMemoryPersist()
    const first = createProgressHub({ persist: store })
    const run = first.run('r')
    await run.start(plan)
    await run.transition('search', 'read')
    await run.phaseProgress('read', 1, 4)
    const epoch = run.epoch
    await first.close()

    const second = createProgressHub({ persist: store })
    const viewer = connectMemory(second)
    // The client subscribes before the producer is back: the hub loads the run from the store for it.
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch, after: 2 })
    const resumed = second.run('r')
    expect(await resumed.phaseProgress('read', 2, 4)).toBe(5)
    expect(resumed.epoch).toBe(epoch)
    expect(viewer.seqs('r')).toEqual([3, 4, 5])
    expect(viewer.frames.every((f) => 'epoch' in f && f.epoch === epoch)).toBe(true)
    expect(resumed.state().phases[1]).toMatchObject({ status: 'active', done: 2, total: 4 })
    await second.close()
  })

  it('starts a new epoch after a crash: events sent after the last write must not reuse their seqs', async () => {
    const store = createMemoryPersist()
    let crashed = false
    const first = createProgressHub({
      persistMs: 5,
      persist: { load: store.load, save: (id, run) => (crashed ? undefined : store.save(id, run)) },
    })
    const run = first.run('r')
    await run.start(plan)
    await run.phaseStarted('search')
    await vi.waitFor(() => expect(JSON.parse(store.runs.get('r') ?? '{}').seq).toBe(2))
    expect(JSON.parse(store.runs.get('r')!).sealed).toBe(false)
    // The viewer saw seq 3 and 4; the process dies before they are written.
    const viewer = connectMemory(first)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 2 })
    crashed = true
    await run.phaseProgress('search', 1, 4)
    await run.phaseProgress('search', 2, 4)
    expect(viewer.seqs('r')).toEqual([3, 4])

    const second = createProgressHub({ persist: store })
    const back = connectMemory(second)
    back.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 4 })
    const resumed = second.run('r')
    // The producer carries on from what the store has; its next event would have been seq 3 of the old epoch.
    expect(await resumed.phaseProgress('search', 1, 4)).toBe(3)
    expect(resumed.epoch).not.toBe(run.epoch)
    expect(back.frames.map((f) => [f.type, 'seq' in f && f.seq, 'epoch' in f && f.epoch])).toEqual([
      ['snapshot', 2, resumed.epoch],
      ['phase_progress', 3, resumed.epoch],
    ])
    await first.close()
    await second.close()
  })

  it('keeps the epoch of a run that had ended, whoever wrote it last', async () => {
    const store = createMemoryPersist()
    const first = createProgressHub({ persist: store })
    const run = first.run('r')
    await run.start(plan)
    await run.complete()
    await vi.waitFor(() =>
      expect(JSON.parse(store.runs.get('r') ?? '{}')).toMatchObject({ seq: 2, sealed: true }),
    )
    const second = createProgressHub({ persist: store })
    const viewer = connectMemory(second)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 1 })
    await vi.waitFor(() => expect(viewer.seqs('r')).toEqual([2]))
    expect(viewer.frames[0]).toMatchObject({ type: 'run_completed', epoch: run.epoch })
    await first.close()
    await second.close()
  })

  it('starts a new epoch after a restart without persistence, so clients get a snapshot', async () => {
    const first = createProgressHub()
    const old = first.run('r')
    await old.start(plan)
    await old.phaseStarted('search')
    await first.close()
    const second = createProgressHub()
    const run = second.run('r')
    await run.start(plan)
    const viewer = connectMemory(second)
    viewer.send({ v: 1, type: 'subscribe', run: 'r', epoch: old.epoch, after: 2 })
    expect(viewer.frames).toEqual([expect.objectContaining({ type: 'snapshot', seq: 1, epoch: run.epoch })])
    expect(run.epoch).not.toBe(old.epoch)
    await second.close()
  })

  it('coalesces writes to one per persistMs and writes terminal events at once', async () => {
    vi.useFakeTimers()
    try {
      const saved: PersistedRun[] = []
      const hub = createProgressHub({
        persistMs: 1000,
        persist: { load: () => undefined, save: (_id, run) => void saved.push(structuredClone(run)) },
      })
      const run = hub.run('r')
      await run.start(plan)
      for (let i = 1; i <= 20; i++) await run.phaseProgress('search', i, 20)
      expect(saved).toHaveLength(0)
      await vi.advanceTimersByTimeAsync(1000)
      expect(saved).toHaveLength(1)
      expect(saved[0]).toMatchObject({ epoch: run.epoch, seq: 21 })
      expect(saved[0]!.log.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
      await run.complete()
      await vi.advanceTimersByTimeAsync(0)
      expect(saved).toHaveLength(2)
      expect(saved[1]).toMatchObject({ seq: 22, state: { status: 'completed' } })
      await vi.advanceTimersByTimeAsync(5000)
      expect(saved).toHaveLength(2)
      await hub.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('reports a failing store and retries; producers never see the error', async () => {
    vi.useFakeTimers()
    try {
      const errors: string[] = []
      let fail = true
      let saves = 0
      const hub = createProgressHub({
        persistMs: 100,
        onError: (_error, context) => errors.push(context),
        persist: {
          load: () => Promise.reject(new Error('no store')),
          save: async () => {
            saves++
            if (fail) throw new Error('disk full')
          },
        },
      })
      const run = hub.run('r')
      await expect(run.start(plan)).resolves.toBe(1)
      await vi.advanceTimersByTimeAsync(100)
      fail = false
      await vi.advanceTimersByTimeAsync(100)
      expect(saves).toBe(2)
      expect(errors).toEqual(['persist.load r', 'persist.save r'])
      expect(hub.metrics().persistErrors).toBe(2)
      await hub.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('ignores a corrupt stored record and starts a fresh epoch', async () => {
    const store = createMemoryPersist()
    store.runs.set('r', JSON.stringify({ epoch: 'e1', seq: 5, state: { phases: [] }, log: [{ seq: 2 }] }))
    const hub = createProgressHub({ persist: store })
    const run = hub.run('r')
    expect(await run.start(plan)).toBe(1)
    expect(run.epoch).not.toBe('e1')
    expect(hub.metrics().persistErrors).toBe(1)
    await hub.close()
  })

  it('writes nothing when nothing changed and waits for an in-flight write before the next', async () => {
    let release: () => void = () => {}
    const writes: number[] = []
    let version = 0
    const writer = createPersistWriter({
      save: () =>
        new Promise<void>((resolve) => {
          writes.push(version)
          release = resolve
        }),
      periodMs: 1000,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      onError: () => {},
    })
    await writer.flush()
    expect(writes).toEqual([])
    version = 1
    writer.mark()
    const first = writer.flush()
    await vi.waitFor(() => expect(writes).toEqual([1]))
    version = 2
    writer.mark()
    const second = writer.flush()
    await new Promise((resolve) => setTimeout(resolve, 10))
    // Marked during the write: saved by a second write after the first finished, never concurrently.
    expect(writes).toEqual([1])
    release()
    await first
    await vi.waitFor(() => expect(writes).toEqual([1, 2]))
    release()
    await second
    writer.dispose()
  })
})
