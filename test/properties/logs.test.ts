import fc from 'fast-check'
import { applyEvent, createRunState } from '../../src/core/applyEvent'
import { trueProgress } from '../../src/core/progress'
import { decodeFrame, encodeFrame } from '../../src/protocol/codec'
import { exampleLog, foldLog, runLogArb } from '../support/logs'

describe('the shared log generator', () => {
  test('produces logs every event of which the reducer accepts, seq 1..n without holes', () => {
    fc.assert(
      fc.property(runLogArb, (log) => {
        let state = createRunState()
        log.events.forEach((event, i) => {
          expect(event.seq).toBe(i + 1)
          const result = applyEvent(state, event)
          expect(result.rejected).toBeUndefined()
          state = result.state
        })
        const last = log.events.at(-1)!
        expect(['run_completed', 'run_failed', 'run_cancelled']).toContain(last.type)
        if (last.type === 'run_completed') expect(trueProgress(state)).toBe(1)
      }),
      { numRuns: 200 },
    )
  })

  test('produces frames the codec accepts unchanged', () => {
    fc.assert(
      fc.property(runLogArb, (log) => {
        for (const event of log.events) {
          const decoded = decodeFrame(encodeFrame(event))
          expect(decoded).toEqual({ ok: true, frame: event })
        }
      }),
      { numRuns: 50 },
    )
  })

  test('covers concurrent phases, parallel tasks, an agentic phase and tool calls', () => {
    const log = exampleLog()
    const types = new Set(log.events.map((e) => e.type))
    for (const type of [
      'task_progress',
      'phase_progress',
      'tool_executing',
      'tool_completed',
      'run_completed',
    ]) {
      expect(types).toContain(type)
    }
    let state = createRunState()
    let maxActive = 0
    for (const event of log.events) {
      state = applyEvent(state, event).state
      maxActive = Math.max(maxActive, state.phases.filter((p) => p.status === 'active').length)
    }
    expect(maxActive).toBeGreaterThan(1)
    expect(foldLog(log.events)).toEqual(state)
  })
})
