import { applyEvent } from '../../src/core/applyEvent'
import { readProgress } from '../../src/core/progress'
import type { RunState } from '../../src/protocol/types'
import { type Body, foldLog, stamp, T0 } from '../support/logs'

/** PROTOCOL v1.1 decision 9: `queued` before the run started, or in its middle (waiting for an agent slot). */

const plan = [
  { id: 'search', label: 'Search', weight: 1 },
  { id: 'analyse', label: 'Analyse', weight: 1 },
]
const run = (...bodies: Body[]) => foldLog(stamp(bodies))
const next = (state: RunState, body: Body) => applyEvent(state, { ...stamp([body])[0]!, seq: 99 }).state

describe('the queue at any time', () => {
  test('queued before run_started survives it: the run stays queued with its position', () => {
    const state = run({ type: 'queued', position: 2, etaMs: 30_000 }, { type: 'run_started', plan })
    expect(state).toMatchObject({ status: 'queued', queuePosition: 2, queueEtaMs: 30_000 })
    expect(state.phases).toHaveLength(2)
  })

  test('queued in the middle puts the run back in line until its next phase event', () => {
    const waiting = run(
      { type: 'run_started', plan },
      { type: 'phase_started', phase: 'search' },
      { type: 'phase_completed', phase: 'search' },
      { type: 'queued', position: 2, etaMs: 12_000 },
    )
    expect(waiting).toMatchObject({ status: 'queued', queuePosition: 2, queueEtaMs: 12_000 })
    // Agents talking while it waits do not end the wait.
    const talking = next(waiting, { type: 'agent_thinking', agent: 'a', text: 'waiting for a slot' })
    expect(talking.status).toBe('queued')
    const moving = next(talking, { type: 'phase_started', phase: 'analyse' })
    expect(moving.status).toBe('running')
    expect(moving).not.toHaveProperty('queuePosition')
    expect(moving).not.toHaveProperty('queueEtaMs')
  })

  test('any phase event ends the wait, an ending one too', () => {
    const waiting = run(
      { type: 'run_started', plan },
      { type: 'phase_started', phase: 'search' },
      { type: 'queued', position: 0 },
    )
    expect(next(waiting, { type: 'phase_completed', phase: 'search' }).status).toBe('running')
    expect(next(waiting, { type: 'phase_progress', phase: 'search', done: 1, total: 2 }).status).toBe(
      'running',
    )
  })

  test('a later notice without an estimate drops the earlier estimate', () => {
    const state = run(
      { type: 'run_started', plan },
      { type: 'queued', position: 3, etaMs: 60_000 },
      { type: 'queued', position: 1 },
    )
    expect(state).toMatchObject({ status: 'queued', queuePosition: 1 })
    expect(state).not.toHaveProperty('queueEtaMs')
  })

  test('a run waiting mid-way keeps what it earned and its estimates keep creeping', () => {
    const waiting = run(
      { type: 'run_started', plan },
      { type: 'phase_progress', phase: 'search', done: 1, total: 2 },
      { type: 'phase_started', phase: 'analyse' },
      { type: 'queued', position: 1 },
    )
    const soon = readProgress(waiting, T0 + 1000)
    const later = readProgress(waiting, T0 + 30_000)
    expect(soon.progress).toBe(0.25)
    expect(later.target).toBeGreaterThan(soon.target)
  })
})
