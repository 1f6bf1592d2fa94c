import fc from 'fast-check'
import { createSequencer } from '../../src/core/sequencer'
import type { SequencedFrame } from '../../src/protocol/types'
import { ev, heartbeat } from '../support/logs'

const GAP = 750
const frame = (seq: number): SequencedFrame => ev('agent_thinking', seq, { agent: 'a', text: `${seq}` })

describe('sequencer properties (rule 1: in order, exactly once)', () => {
  test('whatever arrives — reordered, duplicated, lost, overflowing — the events applied are 1..n in order, once each', () => {
    const delivery = fc.integer({ min: 1, max: 80 }).chain((n) =>
      fc.tuple(
        fc.constant(n),
        fc.array(fc.integer({ min: 1, max: n }), { maxLength: 3 * n }), // arrivals, any order, repeats, gaps
        fc.integer({ min: 1, max: 16 }), // buffer size
      ),
    )
    fc.assert(
      fc.property(delivery, ([n, arrivals, bufferSize]) => {
        const s = createSequencer({ bufferSize, gapTimeoutMs: GAP })
        const applied: number[] = []
        let now = 0
        const asked: number[] = []
        const take = (f: SequencedFrame | ReturnType<typeof heartbeat>) => {
          const result = s.ingest(f, now)
          for (const event of result.events) applied.push(event.seq)
          if (result.action?.type === 'resync') asked.push(result.action.after)
        }
        for (const seq of arrivals) take(frame(seq))
        take(heartbeat(n))
        // The server answers every resync by replaying from `after`, until nothing is missing.
        for (let round = 0; round < 2 * n + 2 && s.status() !== 'live'; round++) {
          now += GAP
          const action = s.tick(now)
          if (action?.type === 'resync') asked.push(action.after)
          for (const after of asked.splice(0)) for (let seq = after + 1; seq <= n; seq++) take(frame(seq))
        }
        expect(applied).toEqual(Array.from({ length: n }, (_, i) => i + 1))
        expect(s.status()).toBe('live')
        expect(s.stats.applied).toBe(n)
      }),
      { numRuns: 300 },
    )
  })
})
