import fc from 'fast-check'
import { applyEvent, createRunState } from '../../src/core/applyEvent'
import { createEtaEstimator, ETA_DEFAULTS } from '../../src/core/eta'
import { isEstimatedPhase, nextDisplayed, type ProgressReading, readProgress } from '../../src/core/progress'
import type { RunEvent, RunState } from '../../src/protocol/types'
import { type RunLog, runLogArb } from '../support/logs'

/**
 * The progress model's promises (issue 2, PROTOCOL rule 7) over generated run logs read at random moments:
 * never backward, exactly 1 on completion, no phase's share claimed before it is earned, estimates that
 * creep but stay below their phase's end, and no ETA without enough data.
 */

const RUNS = 150

interface Step {
  event: RunEvent
  state: RunState
  reading: ProgressReading
  shown: number
  /** Server time of the reading. */
  now: number
  /** What the bar showed before the latest plan change: a grown plan cannot pull the bar back. */
  shownBeforePlanChange: number
}

/** Folds the log in order and reads the bar after each event, some random time later. */
function readAlong(log: RunLog, waits: readonly number[]): Step[] {
  const steps: Step[] = []
  let state = createRunState()
  let shown = 0
  let now = Number.NEGATIVE_INFINITY
  let shownBeforePlanChange = 0
  log.events.forEach((event, i) => {
    if (event.type === 'plan_updated') shownBeforePlanChange = shown
    state = applyEvent(state, event).state
    now = Math.max(now, event.ts) + waits[i % waits.length]!
    const reading = readProgress(state, now)
    shown = nextDisplayed(shown, state, reading)
    steps.push({ event, state, reading, shown, now, shownBeforePlanChange })
  })
  return steps
}

const logAndWaits = fc.tuple(runLogArb, fc.array(fc.nat(10_000), { minLength: 1, maxLength: 20 }))

const weightOf = (state: RunState) => state.phases.reduce((sum, p) => sum + p.weight, 0)
/** The end of phase i on the bar: the weights up to and including it. */
const endOf = (state: RunState, i: number) =>
  state.phases.slice(0, i + 1).reduce((sum, p) => sum + p.weight, 0) / weightOf(state)

/** Active phases with every later phase still pending: the bar's leading edge. */
function leadingPhases(state: RunState): number[] {
  const out: number[] = []
  state.phases.forEach((phase, i) => {
    if (phase.status === 'active' && state.phases.slice(i + 1).every((p) => p.status === 'pending'))
      out.push(i)
  })
  return out
}

describe('progress model properties over generated run logs', () => {
  test('the bar never moves backward, stays below 1 until run_completed and is exactly 1 from then on', () => {
    fc.assert(
      fc.property(logAndWaits, ([log, waits]) => {
        let previous = 0
        for (const step of readAlong(log, waits)) {
          expect(step.shown).toBeGreaterThanOrEqual(previous)
          if (step.state.status === 'completed') expect(step.shown).toBe(1)
          else expect(step.shown).toBeLessThan(1)
          previous = step.shown
        }
      }),
      { numRuns: RUNS },
    )
  })

  test("no phase's share is claimed before it is earned: the bar stays within the leading active phase", () => {
    fc.assert(
      fc.property(logAndWaits, ([log, waits]) => {
        for (const step of readAlong(log, waits)) {
          for (const i of leadingPhases(step.state)) {
            const phase = step.state.phases[i]!
            const end = endOf(step.state, i)
            const bound = Math.max(end, step.shownBeforePlanChange)
            expect(step.shown).toBeLessThanOrEqual(bound + 1e-12)
            // A phase that reports no counts is estimated, and an estimate stays short of its end.
            if (phase.weight > 0 && isEstimatedPhase(phase)) {
              expect(step.reading.target).toBeLessThan(end)
            }
          }
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('an estimate is marked, creeps forward with time and stays below its phase end', () => {
    fc.assert(
      fc.property(logAndWaits, fc.integer({ min: 1, max: 10_000_000 }), ([log, waits], later) => {
        for (const step of readAlong(log, waits)) {
          const running = step.state.status === 'running' || step.state.status === 'queued'
          const estimating = running && step.state.phases.some((p) => p.weight > 0 && isEstimatedPhase(p))
          expect(step.reading.estimated).toBe(estimating)
          if (!estimating) continue
          const afterwards = readProgress(step.state, step.now + later)
          expect(afterwards.target).toBeGreaterThanOrEqual(step.reading.target)
          expect(afterwards.progress).toBe(step.reading.progress)
          for (const i of leadingPhases(step.state)) {
            if (isEstimatedPhase(step.state.phases[i]!))
              expect(afterwards.target).toBeLessThan(endOf(step.state, i))
          }
        }
      }),
      { numRuns: RUNS },
    )
  })

  test('a failed or cancelled run keeps its bar where it was: no estimate, no jump', () => {
    fc.assert(
      fc.property(logAndWaits, ([log, waits]) => {
        const steps = readAlong(log, waits)
        const last = steps.at(-1)!
        if (last.state.status === 'completed') return
        expect(last.reading.estimated).toBe(false)
        expect(last.shown).toBe(steps.at(-2)?.shown ?? 0)
      }),
      { numRuns: RUNS },
    )
  })
})

describe('ETA properties', () => {
  const samplesArb = fc.array(
    fc.record({
      dt: fc.integer({ min: 0, max: 3000 }),
      dp: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.05, noNaN: true })),
    }),
    { maxLength: 80 },
  )

  test('no ETA before minSamples intervals of data, never a negative or non-finite one, and 0 only at 100%', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const eta = createEtaEstimator()
        let t = 0
        let p = 0
        for (const { dt, dp } of samples) {
          t += dt
          p = Math.min(1, p + dp)
          const value = eta.sample(p, t)
          if (t < ETA_DEFAULTS.minSamples * ETA_DEFAULTS.intervalMs) expect(value).toBeNull()
          if (value === null) continue
          expect(Number.isFinite(value)).toBe(true)
          expect(value).toBeGreaterThanOrEqual(0)
          if (value === 0) expect(1 - p).toBeLessThan(1e-4)
        }
      }),
    )
  })

  test('a run whose bar never moves never gets an ETA', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 5000 })),
        (p, gaps) => {
          const eta = createEtaEstimator()
          let t = 0
          for (const dt of gaps) {
            t += dt
            expect(eta.sample(p, t)).toBeNull()
          }
        },
      ),
    )
  })

  test('the bar read along a generated run feeds an ETA that is null or sane, and 0 at completion', () => {
    fc.assert(
      fc.property(logAndWaits, ([log, waits]) => {
        const eta = createEtaEstimator()
        let value: number | null = null
        for (const step of readAlong(log, waits)) {
          value = eta.sample(step.shown, step.now)
          if (value !== null) expect(Number.isFinite(value) && value >= 0).toBe(true)
        }
        if (log.events.at(-1)!.type === 'run_completed') expect(value).toBe(0)
      }),
      { numRuns: 50 },
    )
  })
})
