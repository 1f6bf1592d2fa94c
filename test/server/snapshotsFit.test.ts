import { decodeFrame, utf8Length } from '../../src/protocol/codec'
import { MAX_FRAME_BYTES, type PhasePlanEntry } from '../../src/protocol/types'
import { createMemoryPersist, createProgressHub, type PersistedRun } from '../../src/server'
import { connectMemory } from './memoryPeer'

/** Subscribes a fresh viewer and returns the raw text of what the hub answered. */
function rawAnswer(hub: ReturnType<typeof createProgressHub>, run: string) {
  const texts: string[] = []
  const connection = hub.connect({ bufferedAmount: 0, send: (text) => texts.push(text), close() {} })
  connection.receive(JSON.stringify({ v: 1, type: 'subscribe', run }))
  // The `subscribed` acknowledgement comes first; the answer proper follows it.
  expect(JSON.parse(texts[0]!)).toMatchObject({ type: 'subscribed', run })
  return texts.slice(1)
}

const phases = (count: number, prefix = 'p'): PhasePlanEntry[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i}`, label: `Phase ${i}`, weight: 1 }))

describe('every snapshot fits one frame and passes the client decoder', () => {
  it('leaves out progress labels when the activity alone is not enough, keeping every count', async () => {
    const hub = createProgressHub()
    const run = hub.run('labels')
    await run.start(phases(20))
    // 20 phases × a 4,000-character label: 80 KB of labels, each event well under the frame cap.
    for (let i = 0; i < 20; i++) await run.phaseProgress(`p${i}`, i, 20, `${i} ${'l'.repeat(4000)}`)
    await run.agentThinking('agent', 'still here')
    const [text] = rawAnswer(hub, 'labels')
    expect(utf8Length(text!)).toBeLessThanOrEqual(MAX_FRAME_BYTES)
    const decoded = decodeFrame(text)
    if (!decoded.ok || decoded.frame.type !== 'snapshot')
      throw new Error(`not a snapshot: ${text?.slice(0, 80)}`)
    expect(decoded.frame.seq).toBe(run.head)
    expect(decoded.frame.state.phases.map((p) => [p.id, p.status, p.done, p.total])).toEqual(
      run.state().phases.map((p) => [p.id, p.status, p.done, p.total]),
    )
    expect(decoded.frame.state.phases.some((p) => p.detail !== undefined)).toBe(false)
    expect(hub.metrics()).toMatchObject({ snapshotsSent: 1, snapshotsTrimmed: 1, snapshotsUnavailable: 0 })
    await hub.close()
  })

  it('refuses an event after which no snapshot could fit, without using a seq or sending it', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'tasks' })
    const run = hub.run('tasks')
    await run.start(phases(4))
    // Task ids are part of what a snapshot must carry: 128-character ids fill a frame after a few hundred.
    const id = (phase: number, task: number) => `${phase}-${task}-`.padEnd(128, 't')
    let refused: unknown = null
    for (let phase = 0; phase < 4 && refused === null; phase++) {
      for (let task = 0; task < 256 && refused === null; task++) {
        await run.taskProgress(`p${phase}`, id(phase, task), 1, 2).catch((error: unknown) => {
          refused = error
        })
      }
    }
    expect(refused).toMatchObject({
      name: 'PublishError',
      reason: 'state_too_large',
      eventType: 'task_progress',
    })
    const head = run.head
    expect(viewer.seqs('tasks')).toEqual(Array.from({ length: head }, (_, i) => i + 1))
    // The run goes on (updates of known tasks add nothing) and is still resumable.
    await run.taskProgress('p0', id(0, 0), 2, 2)
    expect(run.head).toBe(head + 1)
    const [text] = rawAnswer(hub, 'tasks')
    expect(utf8Length(text!)).toBeLessThanOrEqual(MAX_FRAME_BYTES)
    expect(decodeFrame(text).ok).toBe(true)
    expect(hub.metrics().snapshotsUnavailable).toBe(0)
    await hub.close()
  })

  it('refuses a plan update that would leave more phases than a snapshot may carry', async () => {
    const hub = createProgressHub()
    const run = hub.run('plans')
    await run.start(phases(200))
    for (let i = 0; i < 200; i++) await run.phaseSkipped(`p${i}`)
    // Ended phases the new plan omits are kept: 200 + 100 would be 300.
    await expect(run.updatePlan(phases(100, 'q'))).rejects.toMatchObject({ reason: 'state_too_large' })
    expect(await run.updatePlan(phases(56, 'q'))).toBe(202)
    expect(run.state().phases).toHaveLength(256)
    expect(decodeFrame(rawAnswer(hub, 'plans')[0]).ok).toBe(true)
    await hub.close()
  })

  it('keeps reducer limits within what a snapshot may carry', async () => {
    const hub = createProgressHub({ limits: { activityLimit: 5000, taskLimit: 1000 } })
    const run = hub.run('limits')
    await run.start(phases(1))
    for (let i = 0; i < 1100; i++) await run.agentThinking('a', `${i}`)
    for (let i = 0; i < 256; i++) await run.taskProgress('p0', `t${i}`, 0, 1)
    await expect(run.taskProgress('p0', 't256', 0, 1)).rejects.toMatchObject({ reason: 'too_many_tasks' })
    expect(run.state().activity).toHaveLength(1000)
    expect(decodeFrame(rawAnswer(hub, 'limits')[0]).ok).toBe(true)
    await hub.close()
  })

  it('answers snapshot_unavailable for a stored state no frame can carry, instead of a frame clients refuse', async () => {
    const store = createMemoryPersist()
    const state = {
      status: 'running',
      phases: phases(300).map((phase) => ({ ...phase, status: 'done' })),
      activity: [],
    }
    const saved: PersistedRun = { epoch: 'e1', seq: 300, state: state as PersistedRun['state'], log: [] }
    store.runs.set('corrupt', JSON.stringify(saved))
    const hub = createProgressHub({ persist: store })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'corrupt' })
    await vi.waitFor(() => expect(viewer.frames).toHaveLength(1))
    expect(viewer.frames[0]).toMatchObject({ type: 'error', code: 'snapshot_unavailable', run: 'corrupt' })
    expect(hub.metrics()).toMatchObject({ snapshotsUnavailable: 1, snapshotsSent: 0 })
    await hub.close()
  })

  it('replaces an epoch the factory got wrong and reports it', async () => {
    const errors: string[] = []
    const hub = createProgressHub({
      epoch: () => 'e'.repeat(65),
      onError: (_error, context) => errors.push(context),
    })
    const run = hub.run('r')
    expect(run.epoch.length).toBeLessThanOrEqual(64)
    expect(await run.start(phases(1))).toBe(1)
    expect(errors).toEqual(['epoch'])
    await hub.close()
  })
})
