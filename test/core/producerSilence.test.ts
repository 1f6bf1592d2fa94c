import { stallThreshold } from '../../src/core/producerSilence'
import type { PhaseState, RunState } from '../../src/protocol/types'

const phase = (id: string, status: PhaseState['status'], extra: Partial<PhaseState> = {}): PhaseState => ({
  id,
  label: id,
  weight: 1,
  status,
  ...extra,
})
const run = (status: RunState['status'], phases: PhaseState[]): RunState => ({ status, phases, activity: [] })

describe('stallThreshold', () => {
  test('a running phase that reports counts allows stallAfterMs', () => {
    expect(stallThreshold(run('running', [phase('a', 'active', { done: 1, total: 4 })]), 30_000)).toBe(30_000)
  })

  test('a phase without counts allows the larger of stallAfterMs and twice its expectedMs', () => {
    expect(stallThreshold(run('running', [phase('a', 'active', { expectedMs: 60_000 })]), 30_000)).toBe(
      120_000,
    )
    expect(stallThreshold(run('running', [phase('a', 'active', { expectedMs: 5_000 })]), 30_000)).toBe(30_000)
    expect(stallThreshold(run('running', [phase('a', 'active')]), 30_000)).toBe(30_000)
  })

  test('concurrent phases: the shortest, since any of them would have spoken by then', () => {
    const phases = [phase('a', 'active', { expectedMs: 60_000 }), phase('b', 'active', { done: 0, total: 3 })]
    expect(stallThreshold(run('running', phases), 30_000)).toBe(30_000)
  })

  test('a running run between phases allows stallAfterMs; any other status expects silence', () => {
    expect(stallThreshold(run('running', [phase('a', 'done'), phase('b', 'pending')]))).toBe(30_000)
    for (const status of ['pending', 'queued', 'completed', 'failed', 'cancelled'] as const) {
      expect(stallThreshold(run(status, [phase('a', 'active', { done: 1, total: 2 })]))).toBeNull()
    }
  })
})
