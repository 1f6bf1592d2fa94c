import { applyEvent, createRunState, DEFAULT_LIMITS, type RejectReason } from '../../src/core/applyEvent'
import type { RunEvent, RunState } from '../../src/protocol/types'
import { type Body, ev, foldLog, stamp, T0 } from '../support/logs'

const plan = [
  { id: 'search', label: 'Search', weight: 2 },
  { id: 'analyse', label: 'Analyse', weight: 3 },
  { id: 'write', label: 'Write', weight: 1, expectedMs: 5000 },
]
const run = (bodies: Body[]) => foldLog(stamp(bodies))
const started = (...more: Body[]) => run([{ type: 'run_started', plan }, ...more])
const phase = (state: RunState, id: string) => state.phases.find((p) => p.id === id)!
/** Applies one more event (seq after the given state's log) and returns the result. */
const next = (state: RunState, body: Body, seq = 99) =>
  applyEvent(state, { ...stamp([body])[0]!, seq } as RunEvent)

function expectRejected(state: RunState, body: Body, reason: RejectReason) {
  const result = next(state, body)
  expect(result.rejected).toBe(reason)
  expect(result.state).toBe(state)
}

describe('applyEvent: run lifecycle', () => {
  test('a new run is pending with nothing in it', () => {
    expect(createRunState()).toEqual({ status: 'pending', phases: [], activity: [] })
  })

  test('run_started declares the plan as pending phases and sets the title', () => {
    const state = run([{ type: 'run_started', plan, title: 'Deep research' }])
    expect(state.status).toBe('running')
    expect(state.title).toBe('Deep research')
    expect(state.phases.map((p) => [p.id, p.status, p.weight])).toEqual([
      ['search', 'pending', 2],
      ['analyse', 'pending', 3],
      ['write', 'pending', 1],
    ])
    expect(phase(state, 'write').expectedMs).toBe(5000)
  })

  test('queued records the position; the first active phase ends the wait and clears it', () => {
    let state = run([
      { type: 'queued', position: 3 },
      { type: 'run_started', plan },
      { type: 'queued', position: 1 },
    ])
    expect(state.status).toBe('queued')
    expect(state.queuePosition).toBe(1)
    state = next(state, { type: 'phase_started', phase: 'search' }).state
    expect(state.status).toBe('running')
    expect(state).not.toHaveProperty('queuePosition')
  })

  test.each([
    ['run_completed', 'completed'],
    ['run_failed', 'failed'],
    ['run_cancelled', 'cancelled'],
  ] as const)('%s is terminal: status %s, and every later event is rejected', (type, status) => {
    const state = started({ type: 'phase_started', phase: 'search' }, { type, error: 'why' })
    expect(state.status).toBe(status)
    expect(state.error).toBe('why')
    const later: Body[] = [
      { type: 'phase_progress', phase: 'search', done: 1, total: 2 },
      { type: 'phase_completed', phase: 'search' },
      { type: 'agent_thinking', agent: 'a', text: 'still here' },
      { type: 'run_completed' },
      { type: 'run_started', plan },
      { type: 'plan_updated', plan },
      { type: 'queued', position: 0 },
    ]
    for (const body of later) expectRejected(state, body, 'run_terminal')
  })

  test('a snapshot replaces everything, even a terminal state', () => {
    const done = started({ type: 'run_completed' })
    const replacement: RunState = { status: 'running', phases: [], activity: [] }
    const result = applyEvent(done, {
      v: 1,
      type: 'snapshot',
      run: 'run-1',
      epoch: 'e2',
      seq: 4,
      ts: 0,
      state: replacement,
    })
    expect(result).toEqual({ state: replacement })
  })
})

describe('applyEvent: rejections (rule 6)', () => {
  test('already_started: a second run_started while running', () => {
    expectRejected(
      started({ type: 'phase_started', phase: 'search' }),
      { type: 'run_started', plan },
      'already_started',
    )
  })

  test('already_started: run_started again while queued in the middle of the run', () => {
    expectRejected(
      started({ type: 'phase_started', phase: 'search' }, { type: 'queued', position: 2 }),
      { type: 'run_started', plan },
      'already_started',
    )
  })

  test('unknown_phase: any phase event naming a phase not in the plan', () => {
    const state = started()
    const bodies: Body[] = [
      { type: 'phase_started', phase: 'nope' },
      { type: 'phase_progress', phase: 'nope', done: 0, total: 1 },
      { type: 'task_progress', phase: 'nope', task: 't', done: 0, total: 1 },
      { type: 'phase_completed', phase: 'nope' },
      { type: 'phase_skipped', phase: 'nope' },
      { type: 'phase_failed', phase: 'nope', error: 'x' },
    ]
    for (const body of bodies) expectRejected(state, body, 'unknown_phase')
    expectRejected(createRunState(), { type: 'phase_started', phase: 'search' }, 'unknown_phase')
  })

  test.each(['phase_completed', 'phase_skipped', 'phase_failed'] as const)(
    'phase_finished: a phase ended by %s never becomes active or moves again',
    (type) => {
      const end: Body =
        type === 'phase_failed' ? { type, phase: 'search', error: 'x' } : { type, phase: 'search' }
      const state = started({ type: 'phase_progress', phase: 'search', done: 1, total: 4 }, end)
      expectRejected(state, { type: 'phase_started', phase: 'search' }, 'phase_finished')
      expectRejected(state, { type: 'phase_progress', phase: 'search', done: 2, total: 4 }, 'phase_finished')
      expectRejected(
        state,
        { type: 'task_progress', phase: 'search', task: 't', done: 2, total: 4 },
        'phase_finished',
      )
      expectRejected(state, { type: 'phase_completed', phase: 'search' }, 'phase_finished')
    },
  )

  test('phase_already_active: phase_started twice', () => {
    expectRejected(
      started({ type: 'phase_started', phase: 'search' }),
      { type: 'phase_started', phase: 'search' },
      'phase_already_active',
    )
  })

  test('done_decreased: a phase or a task going back', () => {
    const phased = started({ type: 'phase_progress', phase: 'search', done: 3, total: 5 })
    expectRejected(phased, { type: 'phase_progress', phase: 'search', done: 2, total: 5 }, 'done_decreased')
    const tasked = started({ type: 'task_progress', phase: 'search', task: 't1', done: 3, total: 5 })
    expectRejected(
      tasked,
      { type: 'task_progress', phase: 'search', task: 't1', done: 1, total: 5 },
      'done_decreased',
    )
  })

  test('mixed_progress_style: a phase uses phase_progress or task_progress, not both', () => {
    const phased = started({ type: 'phase_progress', phase: 'search', done: 1, total: 5 })
    expectRejected(
      phased,
      { type: 'task_progress', phase: 'search', task: 't', done: 2, total: 5 },
      'mixed_progress_style',
    )
    const tasked = started({ type: 'task_progress', phase: 'search', task: 't', done: 1, total: 5 })
    expectRejected(
      tasked,
      { type: 'phase_progress', phase: 'search', done: 2, total: 5 },
      'mixed_progress_style',
    )
  })

  test('too_many_tasks: new tasks beyond the limit, while known tasks still update', () => {
    const limits = { ...DEFAULT_LIMITS, taskLimit: 2 }
    let state = started()
    for (const task of ['t1', 't2']) {
      state = applyEvent(
        state,
        ev('task_progress', 9, { phase: 'search', task, done: 0, total: 1 }),
        limits,
      ).state
    }
    const extra = applyEvent(
      state,
      ev('task_progress', 9, { phase: 'search', task: 't3', done: 0, total: 1 }),
      limits,
    )
    expect(extra.rejected).toBe('too_many_tasks')
    const known = applyEvent(
      state,
      ev('task_progress', 9, { phase: 'search', task: 't1', done: 1, total: 1 }),
      limits,
    )
    expect(known.rejected).toBeUndefined()
  })

  test('duplicate_call: a call id executing twice; unmatched_end: completing twice', () => {
    const state = started(
      { type: 'tool_executing', call: 'c1', tool: 'search' },
      { type: 'tool_completed', call: 'c1', tool: 'search' },
    )
    expectRejected(state, { type: 'tool_executing', call: 'c1', tool: 'search' }, 'duplicate_call')
    expectRejected(state, { type: 'tool_completed', call: 'c1', tool: 'search' }, 'unmatched_end')
  })
})

describe('applyEvent: phases', () => {
  test('several phases may be active at once', () => {
    const state = started(
      { type: 'phase_started', phase: 'search' },
      { type: 'phase_started', phase: 'analyse' },
      { type: 'phase_progress', phase: 'search', done: 2, total: 4 },
    )
    expect(state.phases.map((p) => p.status)).toEqual(['active', 'active', 'pending'])
  })

  test('progress for a pending phase starts it, with its start time', () => {
    const state = run([
      { type: 'run_started', plan },
      { type: 'phase_progress', phase: 'analyse', done: 1, total: 3, label: 'paper 1' },
    ])
    expect(phase(state, 'analyse')).toMatchObject({ status: 'active', done: 1, total: 3, detail: 'paper 1' })
    expect(phase(state, 'analyse').startedAt).toBeDefined()
  })

  test('totals may grow while done keeps rising', () => {
    const state = started(
      { type: 'phase_progress', phase: 'search', done: 2, total: 3 },
      { type: 'phase_progress', phase: 'search', done: 3, total: 10 },
    )
    expect(phase(state, 'search')).toMatchObject({ done: 3, total: 10 })
  })

  test('completion, skip and failure set the end status, time and error', () => {
    const state = started(
      { type: 'phase_started', phase: 'search' },
      { type: 'phase_completed', phase: 'search' },
      { type: 'phase_skipped', phase: 'analyse' },
      { type: 'phase_failed', phase: 'write', error: 'quota' },
    )
    expect(state.phases.map((p) => p.status)).toEqual(['done', 'skipped', 'failed'])
    expect(phase(state, 'write').error).toBe('quota')
    for (const p of state.phases) expect(p.endedAt).toBeDefined()
    expect(state.status).toBe('running') // the run may go on after a failed phase
  })

  test('task_progress keeps each task latest counts and sums them into the phase', () => {
    const state = started(
      { type: 'task_progress', phase: 'search', task: 'a', done: 1, total: 4 },
      { type: 'task_progress', phase: 'search', task: 'b', done: 0, total: 2 },
      { type: 'task_progress', phase: 'search', task: 'a', done: 3, total: 5, label: 'arxiv' },
      { type: 'task_progress', phase: 'search', task: 'b', done: 2, total: 2 },
    )
    const search = phase(state, 'search')
    expect(search).toMatchObject({ status: 'active', done: 5, total: 7, detail: 'arxiv' })
    expect(search.tasks).toEqual([
      { id: 'a', done: 3, total: 5, label: 'arxiv' },
      { id: 'b', done: 2, total: 2 },
    ])
  })
})

describe('applyEvent: plan_updated', () => {
  const base = () =>
    started(
      { type: 'phase_progress', phase: 'search', done: 4, total: 4 },
      { type: 'phase_completed', phase: 'search' },
      { type: 'phase_progress', phase: 'analyse', done: 1, total: 3 },
    )

  test('keeps the status and counts of existing ids and adds new phases as pending', () => {
    const state = next(base(), {
      type: 'plan_updated',
      plan: [...plan, { id: 'review', label: 'Review', weight: 1 }],
    }).state
    expect(state.phases.map((p) => [p.id, p.status])).toEqual([
      ['search', 'done'],
      ['analyse', 'active'],
      ['write', 'pending'],
      ['review', 'pending'],
    ])
    expect(phase(state, 'analyse')).toMatchObject({ done: 1, total: 3 })
  })

  test('takes new labels and weights for existing ids', () => {
    const state = next(base(), {
      type: 'plan_updated',
      plan: plan.map((p) => (p.id === 'analyse' ? { ...p, label: 'Read', weight: 7 } : p)),
    }).state
    expect(phase(state, 'analyse')).toMatchObject({ label: 'Read', weight: 7, status: 'active', done: 1 })
  })

  test('keeps started phases the new plan omits, in their old place, and drops omitted pending ones', () => {
    const state = next(base(), {
      type: 'plan_updated',
      plan: [{ id: 'write', label: 'Write', weight: 1 }],
    }).state
    expect(state.phases.map((p) => [p.id, p.status])).toEqual([
      ['search', 'done'],
      ['analyse', 'active'],
      ['write', 'pending'],
    ])
  })

  test('phases that already ran stay ahead of wholly new phases', () => {
    const state = next(base(), {
      type: 'plan_updated',
      plan: [
        { id: 'x', label: 'X', weight: 1 },
        { id: 'y', label: 'Y', weight: 1 },
      ],
    }).state
    expect(state.phases.map((p) => p.id)).toEqual(['search', 'analyse', 'x', 'y'])
  })

  test('keeps the identity of phases the new plan does not change', () => {
    const before = base()
    const state = next(before, {
      type: 'plan_updated',
      plan: [...plan, { id: 'review', label: 'Review', weight: 1 }],
    }).state
    expect(state.phases[0]).toBe(before.phases[0])
    expect(state.phases[1]).toBe(before.phases[1])
    expect(state.activity).toBe(before.activity)
  })
})

describe('applyEvent: activity', () => {
  test('pairs tool_executing and tool_completed by call, in place', () => {
    const state = started(
      { type: 'tool_executing', call: 'c1', tool: 'search', agent: 'planner' },
      { type: 'agent_thinking', agent: 'planner', text: 'waiting' },
      { type: 'tool_completed', call: 'c1', tool: 'search', ok: false },
    )
    expect(state.activity).toHaveLength(2)
    expect(state.activity[0]).toMatchObject({
      type: 'tool_completed',
      call: 'c1',
      tool: 'search',
      agent: 'planner',
      ok: false,
      seq: 2,
    })
    expect(state.activity[0]!.endedAt).toBe(T0 + 300) // the completion's ts (seq 4)
    expect(state.activity[1]).toMatchObject({ type: 'agent_thinking', text: 'waiting' })
  })

  test('a completion whose start was never seen is refused (unmatched_end), not shown unpaired', () => {
    expectRejected(
      started(),
      { type: 'tool_completed', call: 'c9', tool: 'fetch', ok: true },
      'unmatched_end',
    )
  })

  test('keeps at most 200 entries by default, newest last', () => {
    const bodies: Body[] = Array.from({ length: 250 }, (_, i) => ({
      type: 'agent_thinking',
      agent: 'a',
      text: `t${i}`,
    }))
    const state = started(...bodies)
    expect(state.activity).toHaveLength(DEFAULT_LIMITS.activityLimit)
    expect(state.activity[0]!.text).toBe('t50')
    expect(state.activity.at(-1)!.text).toBe('t249')
  })

  test('honours a custom activity limit', () => {
    let state = started()
    for (let i = 0; i < 5; i++) {
      state = applyEvent(state, ev('agent_thinking', 2 + i, { agent: 'a', text: `${i}` }), {
        ...DEFAULT_LIMITS,
        activityLimit: 2,
      }).state
    }
    expect(state.activity.map((a) => a.text)).toEqual(['3', '4'])
  })

  test('agent start, thinking and completion are recorded with their agent', () => {
    const state = started(
      { type: 'agent_started', agent: 'critic' },
      { type: 'agent_thinking', agent: 'critic', text: 'hmm' },
      { type: 'agent_completed', agent: 'critic', ok: true },
    )
    expect(state.activity.map((a) => [a.type, a.agent])).toEqual([
      ['agent_started', 'critic'],
      ['agent_thinking', 'critic'],
      ['agent_completed', 'critic'],
    ])
    // The start is closed by the completion (seq 4's ts): it is no longer open.
    expect(state.activity[0]!.endedAt).toBe(T0 + 300)
  })
})

describe('applyEvent: identity', () => {
  test('unchanged phases and activity keep their identity', () => {
    const before = started(
      { type: 'phase_started', phase: 'search' },
      { type: 'agent_thinking', agent: 'a', text: 'x' },
    )
    const progressed = next(before, { type: 'phase_progress', phase: 'analyse', done: 1, total: 2 }).state
    expect(progressed.phases[0]).toBe(before.phases[0])
    expect(progressed.phases[2]).toBe(before.phases[2])
    expect(progressed.activity).toBe(before.activity)
    const thought = next(before, { type: 'agent_thinking', agent: 'a', text: 'y' }).state
    expect(thought.phases).toBe(before.phases)
    expect(thought.activity[0]).toBe(before.activity[0])
  })

  test('never mutates the state it is given', () => {
    const before = started({ type: 'task_progress', phase: 'search', task: 't', done: 1, total: 3 })
    const frozen = structuredClone(before)
    next(before, { type: 'task_progress', phase: 'search', task: 't', done: 2, total: 3 })
    next(before, { type: 'plan_updated', plan: [plan[1]!] })
    next(before, { type: 'tool_executing', call: 'c', tool: 't' })
    next(before, { type: 'run_completed' })
    expect(before).toEqual(frozen)
  })
})
