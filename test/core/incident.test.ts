import { createProgressStore } from '../../src/client/createProgressStore'
import { applyEvent, createRunState } from '../../src/core/applyEvent'
import { createSequencer } from '../../src/core/sequencer'
import { encodeFrame } from '../../src/protocol/codec'
import type { HeartbeatFrame, RunState, SequencedFrame } from '../../src/protocol/types'
import { createFakeWorld } from '../client/store/fakeWorld'
import { type Body, heartbeat, stamp } from '../support/logs'

/**
 * The four failure scenarios of the original incident report, each replayed through the real pipeline
 * (codec → sequencer → reducer → progress model → store) with an injected clock.
 */

const plan = [
  { id: 'search', label: 'Search', weight: 2 },
  { id: 'analysis', label: 'Analysis', weight: 3, expectedMs: 8_000 },
  { id: 'report', label: 'Report', weight: 1 },
]

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

function pipeline() {
  const world = createFakeWorld()
  const progress = createProgressStore({ now: world.now, env: world.env, flush: 'sync', refreshMs: 250 })
  const send = (frame: SequencedFrame | HeartbeatFrame) => progress.ingest(encodeFrame(frame))
  const run = () => progress.store.getState().runs['run-1']!
  return { world, send, run, ...progress }
}

const status = (state: { phases: RunState['phases'] }) =>
  Object.fromEntries(state.phases.map((p) => [p.id, p.status]))

describe('incident 1: a lost phase completion when search completes while analysis starts', () => {
  // Five parallel searches finish while the analysis phase starts; the server serialises them into one log.
  const log = stamp([
    { type: 'run_started', plan },
    { type: 'phase_started', phase: 'search' },
    ...['s1', 's2', 's3', 's4', 's5'].map(
      (task): Body => ({ type: 'task_progress', phase: 'search', task, done: 0, total: 2 }),
    ),
    { type: 'task_progress', phase: 'search', task: 's1', done: 2, total: 2 },
    { type: 'task_progress', phase: 'search', task: 's2', done: 2, total: 2 },
    { type: 'task_progress', phase: 'search', task: 's3', done: 2, total: 2 },
    { type: 'phase_started', phase: 'analysis' },
    { type: 'task_progress', phase: 'search', task: 's4', done: 2, total: 2 },
    { type: 'task_progress', phase: 'search', task: 's5', done: 2, total: 2 },
    { type: 'phase_completed', phase: 'search' },
    { type: 'tool_executing', call: 'c1', tool: 'read', agent: 'analyst' },
  ])
  const head = log.slice(0, 9)
  const racing = log.slice(9) // the six frames that race each other on the way to the client

  test('the completion is applied in every arrival order of the racing frames', () => {
    const orders = permutations(racing)
    expect(orders).toHaveLength(720)
    for (const order of orders) {
      const { send, run } = pipeline()
      for (const frame of [...head, ...order]) send(frame)
      expect(status(run())).toEqual({ search: 'done', analysis: 'active', report: 'pending' })
      expect(run().seq).toBe(log.length)
      expect(run().progress).toBeCloseTo(2 / 6, 12)
    }
  })

  test('and also when a racing frame is duplicated or delivered only by the resync', () => {
    const { send, run, world } = pipeline()
    const completion = racing.find((f) => f.type === 'phase_completed')!
    for (const frame of head) send(frame)
    for (const frame of racing) if (frame !== completion) send(frame) // the completion is lost on the way
    expect(status(run()).search).toBe('active')
    world.advance(750) // gap timeout: the store asks for a resync; the server replays from `after`
    for (const frame of log.slice(run().seq)) send(frame)
    for (const frame of racing) send(frame) // and late duplicates change nothing
    expect(status(run())).toEqual({ search: 'done', analysis: 'active', report: 'pending' })
    expect(run().stats.duplicates).toBeGreaterThan(0)
  })
})

describe('incident 2: a progress computation racing a phase change', () => {
  const log = stamp([
    { type: 'run_started', plan },
    { type: 'phase_progress', phase: 'search', done: 8, total: 10 },
    { type: 'phase_progress', phase: 'search', done: 9, total: 10 },
    { type: 'phase_completed', phase: 'search' },
    { type: 'phase_started', phase: 'analysis' },
    // A worker computed 9/10 before the completion but published it after: it is stamped after it.
    { type: 'phase_progress', phase: 'search', done: 9, total: 10 },
  ])

  test('a stale phase_progress for a finished phase neither reopens it nor moves the bar backward', () => {
    const { send, run } = pipeline()
    const shown: number[] = []
    for (const frame of log) {
      send(frame)
      shown.push(run().displayed)
    }
    expect(status(run()).search).toBe('done')
    expect(run().stats.rejections).toEqual({ phase_finished: 1 })
    for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeGreaterThanOrEqual(shown[i - 1]!)
    expect(run().progress).toBeCloseTo(2 / 6, 12)
  })

  test('an older progress frame delayed past the completion is put back in order, not applied after it', () => {
    const { send, run } = pipeline()
    const [started, p8, p9, completed, analysis] = log
    const shown: number[] = []
    for (const frame of [started!, p8!, completed!, analysis!, p9!]) {
      send(frame)
      shown.push(run().displayed)
    }
    expect(status(run())).toMatchObject({ search: 'done', analysis: 'active' })
    expect(run().stats.rejected).toBe(0)
    for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeGreaterThanOrEqual(shown[i - 1]!)
  })
})

describe('incident 3: heartbeat interference mid-transition', () => {
  const log = stamp([
    { type: 'run_started', plan },
    { type: 'phase_progress', phase: 'search', done: 5, total: 5 },
    { type: 'phase_completed', phase: 'search' },
    { type: 'phase_started', phase: 'analysis' },
    { type: 'agent_thinking', agent: 'analyst', text: 'reading' },
  ])

  test('heartbeats interleaved with a transition change no state and ask for nothing', () => {
    const actions: unknown[] = []
    const world = createFakeWorld()
    const progress = createProgressStore({
      now: world.now,
      env: world.env,
      flush: 'sync',
      onAction: (_, action) => actions.push(action),
    })
    const plain = createSequencer()
    let expected = createRunState()
    for (const frame of log) {
      for (const event of plain.ingest(frame, 0).events) expected = applyEvent(expected, event).state
      // Heartbeats around every event: behind, at and (as the server's head races ahead) one above.
      for (const head of [frame.seq - 1, frame.seq, frame.seq + 1]) {
        if (head >= 0 && head <= log.length) progress.ingest(encodeFrame(heartbeat(head)))
      }
      progress.ingest(encodeFrame(frame))
      progress.ingest(encodeFrame(heartbeat(frame.seq)))
      world.advance(100)
    }
    const run = progress.store.getState().runs['run-1']!
    expect(run.phases).toEqual(expected.phases)
    expect(run.activity).toEqual(expected.activity)
    expect(run.status).toBe('running')
    expect(actions).toEqual([])
    expect(run.confidenceReason).not.toBe('resyncing')
  })

  test('a heartbeat is never taken for an event, and a late one from a retired epoch does not flap', () => {
    const { send, run } = pipeline()
    for (const frame of log.slice(0, 3)) send(frame)
    send(heartbeat(3))
    expect(status(run())).toMatchObject({ search: 'done', analysis: 'pending' })
    const restarted = stamp([{ type: 'run_started', plan }], 'run-1', 'e2')
    send(restarted[0]!)
    send(heartbeat(9, { epoch: 'e1' })) // a heartbeat of the old epoch, late
    expect(run().epoch).toBe('e2')
    expect(status(run())).toEqual({ search: 'pending', analysis: 'pending', report: 'pending' })
    expect(run().stats.staleEpochs).toBe(1)
  })
})

describe('incident 4: the agentic-loop phase that reports nothing', () => {
  test('the bar keeps moving, stays below the next phase start, and is marked estimated', () => {
    const { send, run, world } = pipeline()
    const log = stamp([
      { type: 'run_started', plan },
      { type: 'phase_progress', phase: 'search', done: 3, total: 3 },
      { type: 'phase_completed', phase: 'search' },
      { type: 'phase_started', phase: 'analysis' },
    ])
    for (const frame of log) send({ ...frame, ts: world.now() })
    const nextPhaseStart = (2 + 3) / 6
    const shown: number[] = [run().displayed]
    // 60 s of tool calls and thoughts, never a count.
    for (let i = 0; i < 60; i++) {
      world.advance(1_000)
      const seq = 5 + i * 2
      send({
        v: 1,
        type: 'tool_executing',
        run: 'run-1',
        epoch: 'e1',
        seq,
        ts: world.now(),
        call: `c${i}`,
        tool: 'browse',
      })
      send({
        v: 1,
        type: 'tool_completed',
        run: 'run-1',
        epoch: 'e1',
        seq: seq + 1,
        ts: world.now(),
        call: `c${i}`,
        tool: 'browse',
      })
      shown.push(run().displayed)
      expect(run().estimated).toBe(true)
      expect(run().confidenceReason).toBe('estimated')
    }
    for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeGreaterThanOrEqual(shown[i - 1]!)
    expect(shown[10]!).toBeGreaterThan(shown[0]!)
    expect(shown.at(-1)!).toBeGreaterThan(shown[10]!)
    expect(Math.max(...shown)).toBeLessThan(nextPhaseStart)
    // Once the phase completes the estimate gives way to the confirmed value without going back.
    send({
      v: 1,
      type: 'phase_completed',
      run: 'run-1',
      epoch: 'e1',
      seq: 125,
      ts: world.now(),
      phase: 'analysis',
    })
    expect(run().displayed).toBeGreaterThanOrEqual(shown.at(-1)!)
    expect(run().estimated).toBe(false)
  })

  test('with no frames at all the store refresh alone keeps it moving', () => {
    const { send, run, world } = pipeline()
    for (const frame of stamp([
      { type: 'run_started', plan },
      { type: 'phase_skipped', phase: 'search' },
      { type: 'phase_started', phase: 'analysis' },
    ]))
      send({ ...frame, ts: world.now() })
    const before = run().displayed
    world.advance(5_000)
    expect(run().displayed).toBeGreaterThan(before)
    expect(run().displayed).toBeLessThan(5 / 6)
  })
})
