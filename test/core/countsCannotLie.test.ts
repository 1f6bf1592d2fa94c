import { applyEvent, createRunState, type RejectReason } from '../../src/core/applyEvent'
import { taskCounts } from '../../src/core/taskCounts'
import type { RunState } from '../../src/protocol/types'
import { type Body, foldLog, stamp, T0 } from '../support/logs'

/** Agent counts kept by the reducer, task counts derived from the phases, and ends that must match a start. */

const plan = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'write', label: 'Write', weight: 1 },
]
const run = (...bodies: Body[]) => foldLog(stamp([{ type: 'run_started', plan }, ...bodies]))
const next = (state: RunState, body: Body) => applyEvent(state, { ...stamp([body])[0]!, seq: 99 })

function expectRefused(state: RunState, body: Body, reason: RejectReason) {
  expect(next(state, body)).toEqual({ state, rejected: reason })
}

describe('agent counts', () => {
  test('count agents as they start, finish and fail', () => {
    expect(run().agents).toBeUndefined()
    const state = run(
      { type: 'agent_started', agent: 'a' },
      { type: 'agent_started', agent: 'b' },
      { type: 'agent_started', agent: 'c' },
      { type: 'agent_completed', agent: 'a' },
      { type: 'agent_completed', agent: 'b', ok: false },
    )
    expect(state.agents).toEqual({ active: 1, completed: 1, failed: 1 })
  })

  test('an agent may run again once it ended, not twice at once (duplicate_agent)', () => {
    const running = run({ type: 'agent_started', agent: 'a' })
    expectRefused(running, { type: 'agent_started', agent: 'a' }, 'duplicate_agent')
    const again = next(next(running, { type: 'agent_completed', agent: 'a' }).state, {
      type: 'agent_started',
      agent: 'a',
    })
    expect(again.rejected).toBeUndefined()
    expect(again.state.agents).toEqual({ active: 1, completed: 1, failed: 0 })
  })

  test('unmatched_end: a second agent_completed, or one for an agent never started, changes no count', () => {
    const state = run({ type: 'agent_started', agent: 'a' }, { type: 'agent_completed', agent: 'a' })
    expectRefused(state, { type: 'agent_completed', agent: 'a' }, 'unmatched_end')
    expectRefused(state, { type: 'agent_completed', agent: 'ghost', ok: false }, 'unmatched_end')
    expect(state.agents).toEqual({ active: 0, completed: 1, failed: 0 })
  })

  test('unmatched_end: a second tool_completed, or one for a call never started', () => {
    const state = run(
      { type: 'tool_executing', call: 'c1', tool: 'search' },
      { type: 'tool_completed', call: 'c1', tool: 'search' },
    )
    expectRefused(state, { type: 'tool_completed', call: 'c1', tool: 'search' }, 'unmatched_end')
    expectRefused(state, { type: 'tool_completed', call: 'c2', tool: 'search' }, 'unmatched_end')
  })

  test('a snapshot without counts (a server before v1.1) gets them from its list', () => {
    const legacy: RunState = {
      status: 'running',
      phases: [],
      activity: [
        { seq: 1, ts: T0, type: 'agent_started', agent: 'a' },
        { seq: 2, ts: T0, type: 'agent_started', agent: 'b', endedAt: T0 + 1 },
        { seq: 3, ts: T0, type: 'agent_completed', agent: 'b', ok: false },
      ],
    }
    const { state } = applyEvent(createRunState(), {
      v: 1,
      type: 'snapshot',
      run: 'run-1',
      epoch: 'e1',
      seq: 3,
      ts: T0,
      state: legacy,
    })
    expect(state.agents).toEqual({ active: 1, completed: 0, failed: 1 })
    // And the open agent can end.
    expect(next(state, { type: 'agent_completed', agent: 'a' }).state.agents).toEqual({
      active: 0,
      completed: 1,
      failed: 1,
    })
  })
})

describe('task counts', () => {
  test('phase_started announces the tasks before any reports', () => {
    const state = run({ type: 'phase_started', phase: 'search', tasks: 6 })
    expect(state.phases[0]!.taskCount).toBe(6)
    expect(taskCounts(state.phases[0]!)).toEqual({ running: 0, done: 0, total: 6 })
  })

  test('a task runs once heard from and is done when its done reaches its total', () => {
    const state = run(
      { type: 'phase_started', phase: 'search', tasks: 6 },
      { type: 'task_progress', phase: 'search', task: 'a', done: 1, total: 4 },
      { type: 'task_progress', phase: 'search', task: 'b', done: 0, total: 2 },
      { type: 'task_progress', phase: 'search', task: 'c', done: 3, total: 3 },
      { type: 'task_progress', phase: 'search', task: 'd', done: 2, total: 5 },
    )
    expect(taskCounts(state.phases[0]!)).toEqual({ running: 3, done: 1, total: 6 })
  })

  test('more tasks than announced raise the total; nothing runs once the phase ended', () => {
    const state = run(
      { type: 'phase_started', phase: 'search', tasks: 1 },
      { type: 'task_progress', phase: 'search', task: 'a', done: 1, total: 4 },
      { type: 'task_progress', phase: 'search', task: 'b', done: 0, total: 2 },
      { type: 'phase_completed', phase: 'search' },
    )
    expect(taskCounts(state.phases[0]!)).toEqual({ running: 0, done: 0, total: 2 })
  })

  test('a phase without tasks has no task counts', () => {
    expect(taskCounts(run({ type: 'phase_progress', phase: 'search', done: 1, total: 2 }).phases[0]!)).toBe(
      undefined,
    )
  })
})
