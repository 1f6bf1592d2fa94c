import { createRunTracker, type RejectedEvent } from '../../../src/client/runTracker'
import { DEFAULT_LIMITS } from '../../../src/core/applyEvent'
import type { SequencedFrame } from '../../../src/protocol/types'
import { ev, exampleLog, heartbeat, snapshotOf, T0 } from '../../support/logs'

const options = { limits: DEFAULT_LIMITS, heartbeatTimeoutMs: 25_000, gapTimeoutMs: 750 }
const ctx = (now: number) => ({ now, disconnected: false })
const plan = [
  { id: 'a', label: 'A', weight: 1 },
  { id: 'agent', label: 'Agent', weight: 1, expectedMs: 10_000 },
]

function feed(tracker: ReturnType<typeof createRunTracker>, frames: SequencedFrame[], now: number) {
  const rejected: RejectedEvent[] = []
  for (const frame of frames) tracker.ingest(frame, now, (r) => rejected.push(r))
  return rejected
}

describe('createRunTracker', () => {
  test('returns the same view object while nothing visible changed', () => {
    const tracker = createRunTracker('run-1', options)
    feed(
      tracker,
      [ev('run_started', 1, { plan }), ev('phase_progress', 2, { phase: 'a', done: 1, total: 2 })],
      T0,
    )
    const first = tracker.view(ctx(T0))
    expect(tracker.view(ctx(T0 + 10))).toBe(first)
    feed(tracker, [ev('phase_progress', 3, { phase: 'a', done: 2, total: 2 })], T0 + 20)
    const second = tracker.view(ctx(T0 + 20))
    expect(second).not.toBe(first)
    expect(second.phases[1]).toBe(first.phases[1]) // the untouched phase keeps its identity
  })

  test('a resync asked by tick shows up in the view stats', () => {
    const tracker = createRunTracker('run-1', options)
    feed(tracker, [ev('run_started', 1, { plan }), ev('phase_started', 3, { phase: 'a' })], T0)
    const before = tracker.view(ctx(T0))
    expect(tracker.tick(T0 + 750)).toEqual({ type: 'resync', epoch: 'e1', after: 1 })
    const after = tracker.view(ctx(T0 + 750))
    expect(after).not.toBe(before)
    expect(after.stats.resyncs).toBe(1)
    expect(tracker.tick(T0 + 800)).toBeNull()
  })

  test('counts rejections by reason and reports each one', () => {
    const tracker = createRunTracker('run-1', options)
    const rejected = feed(
      tracker,
      [
        ev('run_started', 1, { plan }),
        ev('phase_completed', 2, { phase: 'a' }),
        ev('phase_progress', 3, { phase: 'a', done: 1, total: 1 }),
        ev('phase_started', 4, { phase: 'ghost' }),
      ],
      T0,
    )
    expect(rejected.map((r) => [r.event.seq, r.reason])).toEqual([
      [3, 'phase_finished'],
      [4, 'unknown_phase'],
    ])
    const view = tracker.view(ctx(T0))
    expect(view.stats.rejected).toBe(2)
    expect(view.stats.rejections).toEqual({ phase_finished: 1, unknown_phase: 1 })
    expect(view.seq).toBe(4) // rejected events still advance the sequence: they were applied as no-ops
  })

  test('a snapshot carrying more activity than the limit is trimmed to the newest entries', () => {
    const tracker = createRunTracker('run-1', { ...options, limits: { ...DEFAULT_LIMITS, activityLimit: 3 } })
    const log = exampleLog()
    const snapshot = snapshotOf(log, log.events.length - 1)
    expect(snapshot.state.activity.length).toBeGreaterThan(3)
    feed(tracker, [snapshot], T0)
    const view = tracker.view(ctx(T0))
    expect(view.activity).toEqual(snapshot.state.activity.slice(-3))
  })

  test('a new epoch starts from nothing and resets the displayed value', () => {
    const tracker = createRunTracker('run-1', options)
    feed(
      tracker,
      [ev('run_started', 1, { plan }), ev('phase_progress', 2, { phase: 'a', done: 2, total: 2 })],
      T0,
    )
    expect(tracker.view(ctx(T0)).displayed).toBe(0.5)
    feed(tracker, [ev('run_started', 1, { plan }, { epoch: 'e2' })], T0 + 1)
    const view = tracker.view(ctx(T0 + 1))
    expect(view.epoch).toBe('e2')
    expect(view.displayed).toBe(0)
    expect(view.phases.every((p) => p.status === 'pending')).toBe(true)
  })

  test('replayed frames with old timestamps do not drag the estimate clock back', () => {
    const tracker = createRunTracker('run-1', options)
    // The live stream: the agent phase started at T0 + 200 and the client's clock equals the server's.
    feed(tracker, [ev('run_started', 1, { plan }, { ts: T0 })], T0)
    feed(tracker, [ev('phase_completed', 3, { phase: 'a' }, { ts: T0 + 300 })], T0 + 300)
    feed(tracker, [ev('phase_started', 4, { phase: 'agent' }, { ts: T0 + 400 })], T0 + 400)
    // 10 s later a resync reply brings seq 2, stamped long ago.
    feed(tracker, [ev('agent_thinking', 2, { agent: 'x', text: 'old' }, { ts: T0 + 100 })], T0 + 10_400)
    const view = tracker.view(ctx(T0 + 10_400))
    // 10 s into a 10 s expected phase: about 86% of the estimate cap of its half, not ~0.
    expect(view.displayed).toBeGreaterThan(0.5 + 0.5 * 0.8)
    expect(view.estimated).toBe(true)
  })

  test('heartbeats re-anchor the server clock', () => {
    const tracker = createRunTracker('run-1', options)
    feed(
      tracker,
      [ev('run_started', 1, { plan }, { ts: T0 }), ev('phase_started', 2, { phase: 'agent' }, { ts: T0 })],
      T0,
    )
    // The server clock runs 5 s ahead of ours from now on: the estimate follows the heartbeat.
    tracker.ingest(heartbeat(2, { ts: T0 + 10_000 }), T0 + 5_000, () => {})
    const view = tracker.view(ctx(T0 + 5_000))
    expect(view.displayed).toBeGreaterThan(0.5 * 0.95 * (1 - Math.exp(-2)) - 1e-9)
  })

  test('is stale after the heartbeat timeout without frames, and not before', () => {
    const tracker = createRunTracker('run-1', options)
    feed(tracker, [ev('run_started', 1, { plan })], T0)
    expect(tracker.view(ctx(T0 + 25_000)).confidenceReason).not.toBe('stale')
    expect(tracker.view(ctx(T0 + 25_001)).confidenceReason).toBe('stale')
    tracker.ingest(heartbeat(1), T0 + 26_000, () => {})
    expect(tracker.view(ctx(T0 + 26_000)).confidenceReason).not.toBe('stale')
  })

  test('a reject callback that re-enters ingest does not apply anything twice', () => {
    const tracker = createRunTracker('run-1', options)
    feed(tracker, [ev('run_started', 1, { plan }), ev('phase_completed', 2, { phase: 'a' })], T0)
    // 4 and 5 wait for 3; 3 is rejected (phase finished) and its callback delivers 6 and 7.
    feed(
      tracker,
      [
        ev('agent_thinking', 4, { agent: 'x', text: '4' }),
        ev('agent_thinking', 5, { agent: 'x', text: '5' }),
      ],
      T0,
    )
    let entered = false
    tracker.ingest(ev('phase_progress', 3, { phase: 'a', done: 1, total: 1 }), T0, () => {
      if (entered) return
      entered = true
      feed(
        tracker,
        [
          ev('agent_thinking', 6, { agent: 'x', text: '6' }),
          ev('agent_thinking', 7, { agent: 'x', text: '7' }),
        ],
        T0,
      )
    })
    const view = tracker.view(ctx(T0))
    expect(view.activity.map((a) => a.text)).toEqual(['4', '5', '6', '7'])
    expect(view.seq).toBe(7)
  })

  test('the view carries agent and task counts; a refused end is counted as unmatched_end', () => {
    const tracker = createRunTracker('run-1', options)
    const rejected = feed(
      tracker,
      [
        ev('run_started', 1, { plan }),
        ev('phase_started', 2, { phase: 'a', tasks: 6 }),
        ev('task_progress', 3, { phase: 'a', task: 't1', done: 1, total: 3 }),
        ev('task_progress', 4, { phase: 'a', task: 't2', done: 2, total: 2 }),
        ev('agent_started', 5, { agent: 'x' }),
        ev('agent_started', 6, { agent: 'y' }),
        ev('agent_completed', 7, { agent: 'y', ok: false }),
        ev('agent_completed', 8, { agent: 'y' }),
        ev('tool_completed', 9, { call: 'never', tool: 'search' }),
      ],
      T0,
    )
    expect(rejected.map((r) => r.reason)).toEqual(['unmatched_end', 'unmatched_end'])
    const view = tracker.view(ctx(T0))
    expect(view.agents).toEqual({ active: 1, completed: 0, failed: 1 })
    expect(view.tasks).toEqual({ a: { running: 1, done: 1, total: 6 } })
    expect(view.stats.rejections).toEqual({ unmatched_end: 2 })
    // Task counts keep their identity while the phases do not change.
    feed(tracker, [ev('agent_thinking', 10, { agent: 'x', text: 'still here' })], T0)
    expect(tracker.view(ctx(T0)).tasks).toBe(view.tasks)
  })

  test('a run without agents or tasks shows zero agents and no task counts', () => {
    const tracker = createRunTracker('run-1', options)
    feed(tracker, [ev('run_started', 1, { plan })], T0)
    const view = tracker.view(ctx(T0))
    expect(view.agents).toEqual({ active: 0, completed: 0, failed: 0 })
    expect(view.tasks).toEqual({})
  })
})
