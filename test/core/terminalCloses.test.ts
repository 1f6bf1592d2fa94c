import { applyEvent, createRunState } from '../../src/core/applyEvent'
import { phaseFraction, trueProgress } from '../../src/core/progress'
import type { RunState } from '../../src/protocol/types'
import { type Body, ev, foldLog, stamp, T0 } from '../support/logs'

/** PROTOCOL v1.1 decision 3: a terminal event closes what is open, so nothing "runs" under a finished run. */

const plan = [
  { id: 'search', label: 'Search', weight: 2 },
  { id: 'read', label: 'Read', weight: 2 },
  { id: 'write', label: 'Write', weight: 1 },
]
/** Search done, read active at 3 of 4, write pending; an agent and a call open, one agent finished. */
const midRun: Body[] = [
  { type: 'run_started', plan },
  { type: 'phase_started', phase: 'search' },
  { type: 'phase_completed', phase: 'search' },
  { type: 'phase_progress', phase: 'read', done: 3, total: 4 },
  { type: 'agent_started', agent: 'done-agent' },
  { type: 'agent_completed', agent: 'done-agent', ok: true },
  { type: 'agent_started', agent: 'reader' },
  { type: 'tool_executing', call: 'c1', tool: 'fetch', agent: 'reader' },
  { type: 'agent_thinking', agent: 'reader', text: 'page 3' },
]
const end = (body: Body) => foldLog(stamp([...midRun, body]))
const endTs = T0 + midRun.length * 100

describe('terminal events close what is open', () => {
  test.each([
    ['run_completed', 'completed', 'done'],
    ['run_failed', 'failed', 'failed'],
    ['run_cancelled', 'cancelled', 'skipped'],
  ] as const)(
    '%s: the run is %s, its active phase %s; open agents and calls end interrupted',
    (type, run, phase) => {
      const state = end({ type })
      expect(state.status).toBe(run)
      expect(state.phases.map((p) => [p.id, p.status])).toEqual([
        ['search', 'done'],
        ['read', phase],
        ['write', 'pending'],
      ])
      expect(state.phases[1]).toMatchObject({ endedAt: endTs, interrupted: true, done: 3, total: 4 })
      // The phase that ended by its own event is not marked.
      expect(state.phases[0]!.interrupted).toBeUndefined()
      const reader = state.activity.find((a) => a.agent === 'reader' && a.type === 'agent_started')!
      const call = state.activity.find((a) => a.call === 'c1')!
      for (const entry of [reader, call]) {
        expect(entry).toMatchObject({ ok: false, endedAt: endTs, interrupted: true })
      }
      // A call that never completed keeps its type: it is not a completion.
      expect(call.type).toBe('tool_executing')
      // The finished agent's start is closed by its own completion, not interrupted.
      const finished = state.activity.find((a) => a.agent === 'done-agent' && a.type === 'agent_started')!
      expect(finished.interrupted).toBeUndefined()
      expect(state.agents).toEqual({ active: 0, completed: 1, failed: 1 })
    },
  )

  test('a cancelled run keeps the progress it reached: the phase it skipped counts what it had done', () => {
    const before = foldLog(stamp(midRun))
    const cancelled = end({ type: 'run_cancelled' })
    expect(phaseFraction(cancelled.phases[1]!)).toBe(0.75)
    expect(trueProgress(cancelled)).toBe(trueProgress(before))
    // A phase skipped by its own event still counts as not needed: 1.
    const skipped = end({ type: 'phase_skipped', phase: 'write' })
    expect(phaseFraction(skipped.phases[2]!)).toBe(1)
  })

  test('a run ended with nothing open changes only its status', () => {
    const quiet = foldLog(
      stamp([
        { type: 'run_started', plan },
        { type: 'phase_completed', phase: 'search' },
      ]),
    )
    const done = applyEvent(quiet, ev('run_completed', 3, {})).state
    expect(done.status).toBe('completed')
    expect(done.phases).toBe(quiet.phases)
    expect(done.activity).toBe(quiet.activity)
    expect(done).not.toHaveProperty('agents')
  })

  test('a terminal snapshot with open parts (a server before v1.1) is closed when adopted', () => {
    const legacy: RunState = {
      status: 'completed',
      phases: [{ id: 'write', label: 'Write', weight: 1, status: 'active', startedAt: T0 }],
      activity: [
        { seq: 2, ts: T0, type: 'agent_started', agent: 'w' },
        { seq: 3, ts: T0, type: 'tool_executing', call: 'c', tool: 't' },
      ],
    }
    const ts = T0 + 5000
    const { state } = applyEvent(createRunState(), {
      v: 1,
      type: 'snapshot',
      run: 'run-1',
      epoch: 'e2',
      seq: 9,
      ts,
      state: legacy,
    })
    expect(state.phases[0]).toMatchObject({ status: 'done', endedAt: ts, interrupted: true })
    expect(state.activity.every((a) => a.ok === false && a.interrupted && a.endedAt === ts)).toBe(true)
    // Its agent counts are read off the list it carried: the open agent ended, as a failure.
    expect(state.agents).toEqual({ active: 0, completed: 0, failed: 1 })
  })
})
