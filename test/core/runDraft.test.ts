import fc from 'fast-check'
import { applyEvent, createRunState, DEFAULT_LIMITS, type ReducerLimits } from '../../src/core/applyEvent'
import { createRunDraft } from '../../src/core/runDraft'
import type { SequencedFrame } from '../../src/protocol/types'
import { ev, foldLog, runLogArb, snapshotOf, stamp } from '../support/logs'
import { randomStreamArb } from '../support/streams'
import { referenceApplyEvent } from './referenceApplyEvent'

/** Freezes a published state all the way down: a draft that writes to it afterwards throws (ESM is strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}

/** A log shuffled a little (so some events are refused), with a stray snapshot, and where to publish. */
const shuffledLogArb = fc
  .record({
    log: runLogArb,
    swaps: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 4 })), { maxLength: 6 }),
    snapshotAt: fc.option(fc.nat(), { nil: undefined }),
    publishEvery: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
    activityLimit: fc.constantFrom(1, 2, 3, DEFAULT_LIMITS.activityLimit),
    taskLimit: fc.constantFrom(1, 2, DEFAULT_LIMITS.taskLimit),
  })
  .map(({ log, swaps, snapshotAt, publishEvery, activityLimit, taskLimit }) => {
    const events: SequencedFrame[] = log.events.slice()
    for (const [at, by] of swaps) {
      const i = at % events.length
      const j = Math.min(events.length - 1, i + by)
      ;[events[i], events[j]] = [events[j]!, events[i]!]
    }
    if (snapshotAt !== undefined) {
      const upTo = snapshotAt % log.events.length
      events.splice(upTo, 0, snapshotOf(log, upTo))
    }
    const limits: ReducerLimits = { activityLimit, taskLimit }
    return { events, publishEvery, limits }
  })

/** Or a random stream (chatter, unmatched ends, the queue mid-run, terminal events, snapshots) and where to publish. */
const scenarioArb = fc.oneof(
  shuffledLogArb,
  fc
    .tuple(randomStreamArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }))
    .map(([{ events, limits }, publishEvery]) => ({ events, publishEvery, limits })),
)

describe('runDraft', () => {
  test('publishes exactly what folding applyEvent gives, refuses the same events, never writes to what it published', () => {
    fc.assert(
      fc.property(scenarioArb, ({ events, publishEvery, limits }) => {
        const draft = createRunDraft(createRunState(), limits)
        let pure = createRunState()
        let lastPure = pure
        let lastPublished = deepFreeze(draft.publish())
        events.forEach((event, i) => {
          const result = applyEvent(pure, event, limits)
          expect(draft.apply(event)).toBe(result.rejected)
          pure = result.state
          if (!publishEvery[i % publishEvery.length] && i < events.length - 1) return
          const published = deepFreeze(draft.publish())
          expect(published).toEqual(pure)
          // Unchanged parts keep their identity exactly where the pure reducer keeps it.
          expect(published === lastPublished).toBe(pure === lastPure)
          expect(published.activity === lastPublished.activity).toBe(pure.activity === lastPure.activity)
          for (let p = 0; p < pure.phases.length; p++) {
            const same = pure.phases[p] === lastPure.phases[p]
            expect(published.phases[p] === lastPublished.phases[p]).toBe(same)
          }
          lastPure = pure
          lastPublished = published
        })
      }),
      { numRuns: 400, seed: 11 },
    )
  })

  test('applyEvent, now a draft of one event, gives what the former pure reducer gave: states, rejections, identities', () => {
    fc.assert(
      fc.property(scenarioArb, ({ events, limits }) => {
        let state = createRunState()
        let reference = state
        for (const event of events) {
          const result = applyEvent(state, event, limits)
          const expected = referenceApplyEvent(reference, event, limits)
          expect(result.rejected).toBe(expected.rejected)
          expect(result.state).toStrictEqual(expected.state)
          expect(result.state === state).toBe(expected.state === reference)
          expect(result.state.activity === state.activity).toBe(
            expected.state.activity === reference.activity,
          )
          expect(result.state.phases === state.phases).toBe(expected.state.phases === reference.phases)
          for (let p = 0; p < expected.state.phases.length; p++) {
            const same = expected.state.phases[p] === reference.phases[p]
            expect(result.state.phases[p] === state.phases[p]).toBe(same)
          }
          state = deepFreeze(result.state)
          reference = expected.state
        }
      }),
      { numRuns: 400, seed: 12 },
    )
  })

  test('a publish with nothing applied since returns the same object', () => {
    const draft = createRunDraft(createRunState(), DEFAULT_LIMITS)
    draft.apply(ev('run_started', 1, { plan: [{ id: 'a', label: 'A', weight: 1 }] }))
    const first = draft.publish()
    expect(draft.publish()).toBe(first)
  })

  test('progress of an active phase within one batch copies the phase once and leaves the published one alone', () => {
    const events = stamp([
      { type: 'run_started', plan: [{ id: 'a', label: 'A', weight: 1 }] },
      { type: 'phase_progress', phase: 'a', done: 1, total: 10 },
    ])
    const draft = createRunDraft(createRunState(), DEFAULT_LIMITS)
    for (const event of events) draft.apply(event)
    const before = deepFreeze(draft.publish())
    for (let done = 2; done <= 9; done++)
      draft.apply(ev('phase_progress', done + 1, { phase: 'a', done, total: 10 }))
    const after = draft.publish()
    expect(before.phases[0]).toMatchObject({ done: 1, total: 10 })
    expect(after.phases[0]).toMatchObject({ status: 'active', done: 9, total: 10 })
    expect(after).toEqual(
      foldLog([
        ...events,
        ...[2, 3, 4, 5, 6, 7, 8, 9].map((d) =>
          ev('phase_progress', d + 1, { phase: 'a', done: d, total: 10 }),
        ),
      ]),
    )
  })

  test('a refused event leaves the draft unchanged and says why', () => {
    const draft = createRunDraft(createRunState(), DEFAULT_LIMITS)
    for (const event of stamp([
      { type: 'run_started', plan: [{ id: 'a', label: 'A', weight: 1 }] },
      { type: 'phase_progress', phase: 'a', done: 5, total: 10 },
    ]))
      draft.apply(event)
    const before = draft.peek()
    expect(draft.apply(ev('phase_progress', 3, { phase: 'a', done: 4, total: 10 }))).toBe('done_decreased')
    expect(draft.apply(ev('task_progress', 3, { phase: 'a', task: 't', done: 1, total: 2 }))).toBe(
      'mixed_progress_style',
    )
    expect(draft.peek()).toBe(before)
    expect(draft.publish().phases[0]).toMatchObject({ done: 5 })
  })
})
