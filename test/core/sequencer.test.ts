import { createSequencer, type Sequencer } from '../../src/core/sequencer'
import type { SequencedFrame } from '../../src/protocol/types'
import { ev, exampleLog, heartbeat, snapshotOf } from '../support/logs'

const GAP = 750
const e = (seq: number, epoch = 'e1') => ev('agent_thinking', seq, { agent: 'a', text: `#${seq}` }, { epoch })
const seqs = (frames: readonly SequencedFrame[]) => frames.map((f) => f.seq)
const state = { status: 'running' as const, phases: [], activity: [] }
const snap = (seq: number, epoch = 'e1'): SequencedFrame => ({
  v: 1,
  type: 'snapshot',
  run: 'run-1',
  epoch,
  seq,
  ts: 0,
  state,
})

function feed(s: Sequencer, frames: readonly (SequencedFrame | ReturnType<typeof heartbeat>)[], now = 0) {
  const applied: number[] = []
  const actions = []
  for (const frame of frames) {
    const result = s.ingest(frame, now)
    applied.push(...seqs(result.events))
    if (result.action) actions.push(result.action)
  }
  return { applied, actions }
}

describe('sequencer: order and duplicates (rules 1–2)', () => {
  test('applies an in-order stream at once', () => {
    const s = createSequencer()
    expect(feed(s, [e(1), e(2), e(3)]).applied).toEqual([1, 2, 3])
    expect(s.position()).toEqual({ epoch: 'e1', applied: 3 })
    expect(s.status()).toBe('live')
    expect(s.deadline()).toBeNull()
  })

  test('drops a duplicate seq, applied or still buffered', () => {
    const s = createSequencer()
    expect(feed(s, [e(1), e(2), e(1), e(2), e(4), e(4)]).applied).toEqual([1, 2])
    expect(s.stats.duplicates).toBe(3)
    expect(feed(s, [e(3)]).applied).toEqual([3, 4])
  })

  test('holds early events and applies the contiguous run when the hole fills', () => {
    const s = createSequencer()
    expect(feed(s, [e(1), e(4), e(3), e(6)]).applied).toEqual([1])
    expect(s.status()).toBe('gap')
    expect(feed(s, [e(2)]).applied).toEqual([2, 3, 4])
    expect(s.status()).toBe('gap') // 5 still missing
    expect(feed(s, [e(5)]).applied).toEqual([5, 6])
    expect(s.status()).toBe('live')
    expect(s.stats.reordered).toBe(3)
  })

  test('never applies across a hole however long it stays open', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1), e(3)])
    for (let t = 0; t < 10 * GAP; t += 100) {
      s.tick(t)
      expect(s.position().applied).toBe(1)
    }
  })

  test('the result lists events in seq order exactly once each', () => {
    const s = createSequencer()
    const order = [3, 1, 5, 2, 2, 4, 1, 6]
    const { applied } = feed(
      s,
      order.map((n) => e(n)),
    )
    expect(applied).toEqual([1, 2, 3, 4, 5, 6])
  })
})

describe('sequencer: gap timeout (rule 2)', () => {
  test('asks for a resync after the gap timeout with after = applied', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    s.ingest(e(1), 0)
    s.ingest(e(3), 100)
    expect(s.deadline()).toBe(100 + GAP)
    expect(s.tick(100 + GAP - 1)).toBeNull()
    expect(s.tick(100 + GAP)).toEqual({ type: 'resync', epoch: 'e1', after: 1 })
    expect(s.stats.resyncs).toBe(1)
    expect(s.stats.gaps).toBe(1)
  })

  test('asks again after another timeout when the reply was lost', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    s.ingest(e(1), 0)
    s.ingest(e(3), 0)
    expect(s.tick(GAP)).not.toBeNull()
    expect(s.deadline()).toBe(2 * GAP)
    expect(s.tick(2 * GAP - 1)).toBeNull()
    expect(s.tick(2 * GAP)).toEqual({ type: 'resync', epoch: 'e1', after: 1 })
    expect(s.stats.resyncs).toBe(2)
  })

  test('stops asking once the resync reply fills the hole', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1), e(3)])
    s.tick(GAP)
    feed(s, [e(2), e(3)], GAP + 10)
    expect(s.deadline()).toBeNull()
    expect(s.tick(10 * GAP)).toBeNull()
    expect(s.status()).toBe('live')
  })

  test('a hole that moves up gets a fresh timeout and is counted as a new gap', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1), e(3), e(5)], 0)
    s.ingest(e(2), 500) // fills the first hole; 4 is still missing
    expect(s.deadline()).toBe(500 + GAP)
    expect(s.stats.gaps).toBe(2)
  })

  test('counts each missing range once: filling part of a range is not a new gap, splitting one is', () => {
    const shrink = createSequencer()
    feed(shrink, [e(1), e(5), e(4), e(3)])
    expect(shrink.stats.gaps).toBe(1)
    const split = createSequencer()
    feed(split, [e(1), e(5), e(3)])
    expect(split.stats.gaps).toBe(2)
    const tail = createSequencer()
    feed(tail, [e(1), heartbeat(3), heartbeat(4)])
    expect(tail.stats.gaps).toBe(1)
  })

  test('resubscribed restarts the gap clock', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1), e(3)], 0)
    s.resubscribed(600)
    expect(s.tick(GAP)).toBeNull()
    expect(s.deadline()).toBe(600 + GAP)
  })
})

describe('sequencer: buffer full (rule 2)', () => {
  test('asks for a resync at once when the buffer overflows, then throttles', () => {
    const s = createSequencer({ bufferSize: 3, gapTimeoutMs: GAP })
    s.ingest(e(1), 0)
    for (const n of [3, 4, 5]) expect(s.ingest(e(n), 0).action).toBeNull()
    expect(s.ingest(e(6), 10).action).toEqual({ type: 'resync', epoch: 'e1', after: 1 })
    expect(s.ingest(e(7), 20).action).toBeNull() // throttled: one ask per gap timeout
    expect(s.ingest(e(8), 10 + GAP).action).toEqual({ type: 'resync', epoch: 'e1', after: 1 })
    expect(s.stats.overflows).toBe(3)
    expect(s.stats.resyncs).toBe(2)
  })

  test('recovers from an overflow when the resync reply arrives', () => {
    const s = createSequencer({ bufferSize: 2 })
    const { applied } = feed(s, [e(1), e(3), e(4), e(5), e(6), e(2), e(3), e(4), e(5), e(6)])
    expect(applied).toEqual([1, 2, 3, 4, 5, 6])
  })
})

describe('sequencer: epochs (rule 3)', () => {
  test('a snapshot of a new epoch replaces everything and drops the old buffer', () => {
    const s = createSequencer()
    feed(s, [e(1), e(3), e(4)])
    const { applied } = feed(s, [snap(10, 'e2')])
    expect(applied).toEqual([10])
    expect(s.position()).toEqual({ epoch: 'e2', applied: 10 })
    expect(s.status()).toBe('live')
    expect(s.stats.epochChanges).toBe(1)
    expect(feed(s, [e(11, 'e2')]).applied).toEqual([11])
  })

  test('seq 1 of a new epoch starts it afresh', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2), e(3)])
    const { applied, actions } = feed(s, [e(1, 'e2'), e(2, 'e2')])
    expect(applied).toEqual([1, 2])
    expect(actions).toEqual([])
  })

  test('any other frame of a new epoch asks for a snapshot and applies nothing', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2)])
    const result = s.ingest(e(5, 'e2'), 0)
    expect(result.events).toEqual([])
    expect(result.action).toEqual({ type: 'snapshot-needed', epoch: 'e2' })
    expect(s.status()).toBe('awaiting-snapshot')
    expect(s.position()).toEqual({ epoch: 'e2', applied: 0 })
    expect(feed(s, [e(6, 'e2')]).applied).toEqual([])
    expect(feed(s, [snap(6, 'e2')]).applied).toEqual([6])
    expect(s.status()).toBe('live')
  })

  test('a heartbeat of a new epoch asks for a snapshot too', () => {
    const s = createSequencer()
    feed(s, [e(1)])
    expect(s.ingest(heartbeat(4, { epoch: 'e2' }), 0).action).toEqual({
      type: 'snapshot-needed',
      epoch: 'e2',
    })
  })

  test('asks for the snapshot again when it does not come', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1)])
    s.ingest(e(3, 'e2'), 0)
    expect(s.tick(GAP)).toEqual({ type: 'snapshot-needed', epoch: 'e2' })
    expect(s.stats.resyncs).toBe(0)
  })

  test('reordered frames right after an epoch change: seq 1 arriving after seq 2 and 3 still starts it', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2), e(3), e(4)])
    const first = feed(s, [e(3, 'e2'), e(2, 'e2')])
    expect(first.applied).toEqual([])
    expect(first.actions).toEqual([{ type: 'snapshot-needed', epoch: 'e2' }])
    expect(feed(s, [e(1, 'e2')]).applied).toEqual([1, 2, 3])
    expect(s.status()).toBe('live')
    // The snapshot asked for earlier arrives at head and is applied without going backward.
    expect(feed(s, [snap(3, 'e2')]).applied).toEqual([3])
    expect(feed(s, [snap(2, 'e2')]).applied).toEqual([])
    expect(s.stats.staleSnapshots).toBe(1)
  })

  test('late frames of a retired epoch are dropped instead of flapping back', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2)])
    feed(s, [snap(5, 'e2')])
    const late = feed(s, [e(3), heartbeat(9), snap(9), e(6, 'e2')])
    expect(late.applied).toEqual([6])
    expect(late.actions).toEqual([])
    expect(s.position().epoch).toBe('e2')
    expect(s.stats.staleEpochs).toBe(3)
    expect(s.stats.epochChanges).toBe(1)
  })

  test('seq 1 of a retired epoch never switches back either (decision 1)', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2)])
    feed(s, [e(1, 'e2')])
    expect(feed(s, [e(1), e(3)]).applied).toEqual([])
    expect(feed(s, [e(2, 'e2')]).applied).toEqual([2])
    expect(s.position()).toEqual({ epoch: 'e2', applied: 2 })
    expect(s.stats.staleEpochs).toBe(2)
  })

  test('remembers only the configured number of retired epochs', () => {
    const s = createSequencer({ retiredEpochs: 1 })
    feed(s, [snap(1, 'a'), snap(1, 'b'), snap(1, 'c')])
    expect(s.ingest(e(2, 'b'), 0).action).toBeNull() // b is retired
    expect(s.position().epoch).toBe('c')
    expect(feed(s, [snap(1, 'a')]).applied).toEqual([1]) // a was forgotten: treated as a new epoch
  })

  test('a heartbeat before any event reveals that everything so far was lost', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    expect(s.ingest(heartbeat(3), 0).action).toBeNull()
    expect(s.position()).toEqual({ epoch: 'e1', applied: 0 })
    expect(s.tick(GAP)).toEqual({ type: 'resync', epoch: 'e1', after: 0 })
    expect(feed(s, [e(1), e(2), e(3)]).applied).toEqual([1, 2, 3])
    expect(s.status()).toBe('live')
  })

  test('a heartbeat at head 0 before any event opens no hole', () => {
    const s = createSequencer()
    s.ingest(heartbeat(0), 0)
    expect(s.status()).toBe('live')
    expect(feed(s, [e(1)]).applied).toEqual([1])
  })
})

describe('sequencer: heartbeats of runs with nothing issued (v1.1 decision 10)', () => {
  const empty = () => {
    const { epoch: _, ...frame } = heartbeat(0)
    return frame
  }

  test('a heartbeat without epoch neither sets nor switches the epoch', () => {
    const s = createSequencer()
    s.ingest(empty(), 0)
    expect(s.position()).toEqual({ epoch: null, applied: 0 })
    feed(s, [e(1), e(2)])
    const result = s.ingest(empty(), 10)
    expect(result.action).toBeNull()
    expect(result.events).toEqual([])
    expect(s.position()).toEqual({ epoch: 'e1', applied: 2 })
    expect(s.status()).toBe('live')
    expect(s.stats.epochChanges).toBe(0)
    expect(feed(s, [e(3)]).applied).toEqual([3])
  })
})

describe('sequencer: snapshots (rule 4)', () => {
  test('drops a stale snapshot (seq < applied) and counts it', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2), e(3)])
    expect(feed(s, [snap(2)]).applied).toEqual([])
    expect(s.stats.staleSnapshots).toBe(1)
    expect(s.position().applied).toBe(3)
  })

  test('a snapshot fills a hole and drains what was buffered above it', () => {
    const s = createSequencer()
    feed(s, [e(1), e(4), e(6), e(7)])
    expect(feed(s, [snap(5)]).applied).toEqual([5, 6, 7])
    expect(s.status()).toBe('live')
  })

  test('a snapshot built by folding the log applies as one step', () => {
    const log = exampleLog()
    const s = createSequencer()
    const result = s.ingest(snapshotOf(log, 5), 0)
    expect(seqs(result.events)).toEqual([5])
    expect(feed(s, [log.events[5]!]).applied).toEqual([6])
  })
})

describe('sequencer: heartbeats and tail loss', () => {
  test('head above applied with nothing in flight asks for a resync after the gap timeout', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1), e(2)], 0)
    s.ingest(heartbeat(4), 100)
    expect(s.status()).toBe('gap')
    expect(s.tick(100 + GAP - 1)).toBeNull()
    expect(s.tick(100 + GAP)).toEqual({ type: 'resync', epoch: 'e1', after: 2 })
    expect(feed(s, [e(3), e(4)]).applied).toEqual([3, 4])
    expect(s.status()).toBe('live')
  })

  test('a heartbeat at applied changes nothing', () => {
    const s = createSequencer()
    feed(s, [e(1), e(2)])
    const result = s.ingest(heartbeat(2), 0)
    expect(result.events).toEqual([])
    expect(result.action).toBeNull()
    expect(s.status()).toBe('live')
    expect(s.deadline()).toBeNull()
  })

  test('an older heartbeat does not lower the known head', () => {
    const s = createSequencer()
    feed(s, [e(1), heartbeat(3), heartbeat(1)])
    expect(s.status()).toBe('gap')
  })
})

describe('sequencer: counters', () => {
  test('counts received, applied, duplicates, reordered, gaps and resyncs', () => {
    const s = createSequencer({ gapTimeoutMs: GAP })
    feed(s, [e(1), e(3), e(3), e(1), heartbeat(3)], 0)
    s.tick(GAP)
    feed(s, [e(2)], GAP)
    expect(s.stats).toMatchObject({
      received: 6,
      applied: 3,
      duplicates: 2,
      reordered: 1,
      gaps: 1,
      resyncs: 1,
      staleSnapshots: 0,
    })
  })
})
