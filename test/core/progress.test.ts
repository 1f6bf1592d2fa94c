import fc from 'fast-check'
import {
  estimatedFraction,
  isEstimatedPhase,
  nextDisplayed,
  PROGRESS_DEFAULTS,
  phaseFraction,
  readProgress,
  trueProgress,
} from '../../src/core/progress'
import type { PhaseState, RunState } from '../../src/protocol/types'

const P = (id: string, weight: number, extra: Partial<PhaseState> = {}): PhaseState => ({
  id,
  label: id,
  weight,
  status: 'pending',
  ...extra,
})
const running = (...phases: PhaseState[]): RunState => ({ status: 'running', phases, activity: [] })

describe('trueProgress (PROTOCOL formula)', () => {
  test('is Σ weight·fraction / Σ weight with done and skipped as 1, active done/total, others 0', () => {
    const state = running(
      P('a', 2, { status: 'done' }),
      P('b', 1, { status: 'skipped' }),
      P('c', 4, { status: 'active', done: 1, total: 4 }),
      P('d', 2, { status: 'failed', done: 3, total: 4 }),
      P('e', 1),
    )
    expect(trueProgress(state)).toBeCloseTo((2 + 1 + 4 * 0.25) / 10, 12)
  })

  test('an active phase without a total counts 0', () => {
    expect(trueProgress(running(P('a', 1, { status: 'active' }), P('b', 1)))).toBe(0)
    expect(phaseFraction(P('a', 1, { status: 'active', done: 0, total: 0 }))).toBe(0)
  })

  test('is 1 once completed whatever the phases say, and 0 with no weight at all', () => {
    expect(trueProgress({ status: 'completed', phases: [P('a', 1)], activity: [] })).toBe(1)
    expect(trueProgress(running())).toBe(0)
    expect(trueProgress(running(P('a', 0, { status: 'done' })))).toBe(0)
  })

  test('stays within [0, 1] for any phases', () => {
    const phaseArb = fc.record({
      weight: fc.integer({ min: 0, max: 10 }),
      status: fc.constantFrom('pending', 'active', 'done', 'skipped', 'failed'),
      done: fc.nat(20),
      extra: fc.nat(20),
    })
    fc.assert(
      fc.property(fc.array(phaseArb, { maxLength: 8 }), (specs) => {
        const phases = specs.map((s, i) =>
          P(`p${i}`, s.weight, { status: s.status, done: s.done, total: s.done + s.extra }),
        )
        const value = trueProgress(running(...phases))
        expect(value).toBeGreaterThanOrEqual(0)
        expect(value).toBeLessThanOrEqual(1)
      }),
    )
  })
})

describe('estimates for phases that report no counts', () => {
  test('an active phase with no total (or a zero total) is estimated; others are not', () => {
    expect(isEstimatedPhase(P('a', 1, { status: 'active' }))).toBe(true)
    expect(isEstimatedPhase(P('a', 1, { status: 'active', done: 0, total: 0 }))).toBe(true)
    expect(isEstimatedPhase(P('a', 1, { status: 'active', done: 0, total: 3 }))).toBe(false)
    expect(isEstimatedPhase(P('a', 1, { status: 'pending' }))).toBe(false)
    expect(isEstimatedPhase(P('a', 1, { status: 'done' }))).toBe(false)
  })

  test('estimatedFraction starts at 0, rises, and never reaches its cap', () => {
    expect(estimatedFraction(0, 1000, 0.95)).toBe(0)
    expect(estimatedFraction(-5, 1000, 0.95)).toBe(0)
    let last = 0
    for (const t of [10, 100, 1000, 5000, 60_000, 1e7]) {
      const value = estimatedFraction(t, 1000, 0.95)
      expect(value).toBeGreaterThanOrEqual(last)
      expect(value).toBeLessThanOrEqual(0.95)
      last = value
    }
    expect(estimatedFraction(1000, 1000, 1)).toBeCloseTo(1 - Math.exp(-2), 10) // ~86% at the expected time
  })

  test('creeps toward the active phase end but stays below it, and is marked estimated', () => {
    const start = 1_000_000
    const state = running(
      P('search', 1, { status: 'done' }),
      P('agent', 2, { status: 'active', startedAt: start }),
      P('write', 1),
    )
    const phaseStart = 1 / 4
    const phaseEnd = 3 / 4
    let last = -1
    for (const elapsed of [0, 1_000, 30_000, 60_000, 600_000, 1e9]) {
      const reading = readProgress(state, start + elapsed)
      expect(reading.estimated).toBe(true)
      expect(reading.progress).toBe(phaseStart)
      expect(reading.target).toBeGreaterThanOrEqual(phaseStart)
      expect(reading.target).toBeLessThan(phaseEnd)
      expect(reading.target).toBeGreaterThanOrEqual(last)
      last = reading.target
    }
    expect(last).toBeGreaterThan(phaseStart + 0.9 * (phaseEnd - phaseStart))
  })

  test('uses the phase expectedMs when given, the default otherwise', () => {
    const start = 0
    const fast = running(P('a', 1, { status: 'active', startedAt: start, expectedMs: 2_000 }))
    const slow = running(P('a', 1, { status: 'active', startedAt: start }))
    const at = 2_000
    expect(readProgress(fast, at).target).toBeCloseTo(PROGRESS_DEFAULTS.estimateCap * (1 - Math.exp(-2)), 10)
    expect(readProgress(slow, at).target).toBeCloseTo(
      PROGRESS_DEFAULTS.estimateCap * (1 - Math.exp(-at / (PROGRESS_DEFAULTS.defaultExpectedMs / 2))),
      10,
    )
    expect(readProgress(slow, at, { defaultExpectedMs: 2_000 }).target).toBeCloseTo(
      readProgress(fast, at).target,
      12,
    )
  })

  test('adds nothing for a run that is not running, nor for phases with counts', () => {
    const counted = running(P('a', 1, { status: 'active', done: 1, total: 2, startedAt: 0 }))
    expect(readProgress(counted, 1e6)).toEqual({ progress: 0.5, target: 0.5, estimated: false })
    const failed: RunState = {
      status: 'failed',
      phases: [P('a', 1, { status: 'active', startedAt: 0 })],
      activity: [],
    }
    expect(readProgress(failed, 1e6)).toEqual({ progress: 0, target: 0, estimated: false })
  })
})

describe('phases counted by their tasks', () => {
  const task = (id: string, done: number, total: number) => ({ id, done, total })
  const searching = (...tasks: ReturnType<typeof task>[]) =>
    P('search', 1, {
      status: 'active',
      tasks,
      done: tasks.reduce((s, t) => s + t.done, 0),
      total: tasks.reduce((s, t) => s + t.total, 0),
    })

  test('the phase counts the sums over the tasks heard from (PROTOCOL), even when only some have reported', () => {
    const phase = searching(task('a', 1, 4), task('b', 3, 4), task('c', 0, 2))
    expect(phaseFraction(phase)).toBeCloseTo(4 / 10, 12)
    expect(phaseFraction({ ...searching(task('s1', 2, 2)), status: 'done' })).toBe(1)
  })

  test('the bar aims at the PROTOCOL sums of a task-counted phase, never past its end while it is active', () => {
    const state = running(P('plan', 1, { status: 'done' }), searching(task('s1', 10, 10)), P('write', 2))
    const reading = readProgress(state, 0)
    expect(reading.progress).toBeCloseTo(2 / 4, 12)
    expect(reading.target).toBeCloseTo(2 / 4, 12)
    expect(reading.estimated).toBe(false)
  })

  test('eight searches announced up front (done 0) move the bar forward as each reports, never back', () => {
    const tasks = Array.from({ length: 8 }, (_, i) => task(`s${i}`, 0, 10))
    let shown = 0
    const seen: number[] = []
    const show = (reported: ReturnType<typeof task>[]) => {
      const state = running(searching(...reported), P('write', 1))
      shown = nextDisplayed(shown, state, readProgress(state, 0))
      seen.push(shown)
    }
    show(tasks)
    expect(seen[0]).toBe(0)
    for (let done = 0; done <= 10; done++) show(tasks.map((t, i) => ({ ...t, done: i < 2 ? 10 : done })))
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!)
    expect(shown).toBeCloseTo(1 / 2, 12) // all eight at 10/10: the phase's end, not past it
  })

  test('a failed run keeps what it showed: no jump to the summed counts at the failure', () => {
    const state = running(
      P('search', 1, { status: 'active', tasks: [task('s1', 5, 5)], done: 5, total: 5 }),
      P('w', 1),
    )
    const shown = nextDisplayed(0, state, readProgress(state, 0))
    const failed: RunState = { ...state, status: 'failed' }
    expect(nextDisplayed(shown, failed, readProgress(failed, 0))).toBe(shown)
  })
})

describe('nextDisplayed', () => {
  test('never moves backward', () => {
    const state = running(P('a', 1, { status: 'active', done: 1, total: 4 }))
    const reading = readProgress(state, 0)
    expect(nextDisplayed(0.6, state, reading)).toBe(0.6)
    expect(nextDisplayed(0.1, state, reading)).toBe(0.25)
  })

  test('is exactly 1 on completion and below 1 before it, even when every phase looks done', () => {
    const allDone = running(P('a', 1, { status: 'done' }), P('b', 1, { status: 'skipped' }))
    const reading = readProgress(allDone, 0)
    expect(reading.progress).toBe(1)
    expect(nextDisplayed(0, allDone, reading)).toBe(PROGRESS_DEFAULTS.incompleteCap)
    expect(nextDisplayed(0.999, allDone, reading)).toBe(0.999)
    const completed: RunState = { ...allDone, status: 'completed' }
    expect(nextDisplayed(0.2, completed, readProgress(completed, 0))).toBe(1)
  })

  test('a sequence of arbitrary readings never goes backward and stays below 1 until completed', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), (targets) => {
        const state = running(P('a', 1, { status: 'active' }))
        let shown = 0
        for (const target of targets) {
          const next = nextDisplayed(shown, state, { progress: 0, target, estimated: true })
          expect(next).toBeGreaterThanOrEqual(shown)
          expect(next).toBeLessThan(1)
          shown = next
        }
      }),
    )
  })
})
