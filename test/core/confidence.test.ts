import fc from 'fast-check'
import {
  type ConfidenceInput,
  createConfidenceTracker,
  heartbeatTimeout,
  type ObservedConfidenceInput,
  readConfidence,
  resyncGrace,
} from '../../src/core/confidence'
import { createSequencer } from '../../src/core/sequencer'
import type { SequencedFrame } from '../../src/protocol/types'

const live: ConfidenceInput = {
  status: 'running',
  disconnected: false,
  stale: false,
  sequencer: 'live',
  estimated: false,
}

describe('readConfidence: v1.1 reasons', () => {
  test('waiting is high and calm, but a dropped connection or silence outranks it', () => {
    expect(readConfidence({ ...live, status: 'pending', waiting: true })).toEqual({
      confidence: 'high',
      reason: 'waiting',
    })
    expect(readConfidence({ ...live, status: 'pending', waiting: true, stale: true }).reason).toBe('stale')
    expect(readConfidence({ ...live, waiting: true, disconnected: true }).reason).toBe('reconnecting')
    expect(readConfidence({ ...live, waiting: true, heard: false }).reason).toBe('waiting')
  })

  test('producer_silent is medium and distinct from every connection state, which outrank it', () => {
    const silent = { ...live, producerSilent: true, estimated: true }
    expect(readConfidence(silent)).toEqual({ confidence: 'medium', reason: 'producer_silent' })
    expect(readConfidence({ ...silent, disconnected: true }).reason).toBe('reconnecting')
    expect(readConfidence({ ...silent, stale: true }).reason).toBe('stale')
    expect(readConfidence({ ...silent, sequencer: 'gap' }).reason).toBe('resyncing')
    expect(readConfidence({ ...silent, status: 'completed' }).reason).toBe('final')
  })

  test('restarted is medium and says why the bar went down, before a silent producer or an estimate', () => {
    expect(readConfidence({ ...live, restarted: true, producerSilent: true, estimated: true })).toEqual({
      confidence: 'medium',
      reason: 'restarted',
    })
    expect(readConfidence({ ...live, restarted: true, disconnected: true }).reason).toBe('reconnecting')
  })

  test('heartbeatTimeout: the explicit option, else 2.5 × the announced period, else 25 s', () => {
    expect(heartbeatTimeout(700, 1000)).toBe(700)
    expect(heartbeatTimeout(undefined, 1000)).toBe(2500)
    expect(heartbeatTimeout(undefined, null)).toBe(25_000)
    expect(heartbeatTimeout()).toBe(25_000)
  })
})

describe('readConfidence', () => {
  test('high and live when connected, fresh, in order and confirmed', () => {
    expect(readConfidence(live)).toEqual({ confidence: 'high', reason: 'live' })
  })

  test('medium when part of the bar is an estimate', () => {
    expect(readConfidence({ ...live, estimated: true })).toEqual({
      confidence: 'medium',
      reason: 'estimated',
    })
  })

  test('medium while a hole is open or a snapshot is awaited', () => {
    expect(readConfidence({ ...live, sequencer: 'gap' })).toEqual({
      confidence: 'medium',
      reason: 'resyncing',
    })
    expect(readConfidence({ ...live, sequencer: 'awaiting-snapshot', estimated: true })).toEqual({
      confidence: 'medium',
      reason: 'resyncing',
    })
  })

  test('medium for a source without trustworthy order', () => {
    expect(readConfidence({ ...live, unordered: true })).toEqual({
      confidence: 'medium',
      reason: 'unordered',
    })
  })

  test('low when stale or reconnecting, reconnecting first', () => {
    expect(readConfidence({ ...live, stale: true })).toEqual({ confidence: 'low', reason: 'stale' })
    expect(readConfidence({ ...live, stale: true, disconnected: true })).toEqual({
      confidence: 'low',
      reason: 'reconnecting',
    })
  })

  test.each(['completed', 'failed', 'cancelled'] as const)(
    'high and final once %s, whatever else',
    (status) => {
      expect(
        readConfidence({ status, disconnected: true, stale: true, sequencer: 'gap', estimated: true }),
      ).toEqual({
        confidence: 'high',
        reason: 'final',
      })
    },
  )
})

describe('readConfidence: holes, grace and requests', () => {
  const gap: ConfidenceInput = { ...live, sequencer: 'gap' }

  test('a hole younger than the grace with no request out is a reorder in flight: the reason stays as it was', () => {
    expect(readConfidence({ ...gap, gapOpenMs: 0 })).toEqual({ confidence: 'high', reason: 'live' })
    expect(readConfidence({ ...gap, gapOpenMs: 249, estimated: true })).toEqual({
      confidence: 'medium',
      reason: 'estimated',
    })
  })

  test('a hole open for the grace or longer is catching up', () => {
    expect(readConfidence({ ...gap, gapOpenMs: 250 })).toEqual({ confidence: 'medium', reason: 'resyncing' })
  })

  test('a request in flight or an awaited snapshot is catching up at once', () => {
    expect(readConfidence({ ...gap, gapOpenMs: 0, requestInFlight: true }).reason).toBe('resyncing')
    expect(readConfidence({ ...live, sequencer: 'awaiting-snapshot', gapOpenMs: 0 }).reason).toBe('resyncing')
  })

  test('without the hole age a hole counts at once, as before', () => {
    expect(readConfidence(gap).reason).toBe('resyncing')
  })

  test('the grace is min(250 ms, gap timeout / 3) unless set', () => {
    expect(resyncGrace()).toBe(250)
    expect(resyncGrace({ gapTimeoutMs: 300 })).toBe(100)
    expect(resyncGrace({ gapTimeoutMs: 3000 })).toBe(250)
    expect(resyncGrace({ gapTimeoutMs: 300, resyncGraceMs: 40 })).toBe(40)
    expect(readConfidence({ ...gap, gapOpenMs: 100 }, { gapTimeoutMs: 300 }).reason).toBe('resyncing')
    expect(readConfidence({ ...gap, gapOpenMs: 99 }, { gapTimeoutMs: 300 }).reason).toBe('live')
  })

  test('a run that has heard nothing is low: it shows no server state yet, only the wait for it', () => {
    expect(readConfidence({ ...live, heard: false })).toEqual({ confidence: 'low', reason: 'resyncing' })
    expect(readConfidence({ ...live, heard: false, disconnected: true }).reason).toBe('reconnecting')
    expect(readConfidence({ ...live, heard: false, stale: true }).reason).toBe('stale')
  })
})

describe('createConfidenceTracker', () => {
  const at = (now: number, extra: Partial<ObservedConfidenceInput> = {}): ObservedConfidenceInput => ({
    ...live,
    now,
    lastFrameAt: 0,
    requests: 0,
    ...extra,
  })

  test('a frame held for a few ms does not flip the reason to resyncing and back', () => {
    const confidence = createConfidenceTracker()
    const reasons = [
      confidence.read(at(0)),
      confidence.read(at(16, { sequencer: 'gap' })),
      confidence.read(at(32, { sequencer: 'gap' })),
      confidence.read(at(48)),
    ].map((r) => r.reason)
    expect(reasons).toEqual(['live', 'live', 'live', 'live'])
  })

  test('a hole still open after the grace shows as resyncing until it fills', () => {
    const confidence = createConfidenceTracker({ gapTimeoutMs: 750 })
    confidence.read(at(0))
    expect(confidence.read(at(100, { sequencer: 'gap' })).reason).toBe('live')
    expect(confidence.read(at(349, { sequencer: 'gap' })).reason).toBe('live')
    expect(confidence.read(at(350, { sequencer: 'gap' }))).toEqual({
      confidence: 'medium',
      reason: 'resyncing',
    })
    expect(confidence.read(at(400)).reason).toBe('live')
    expect(confidence.read(at(410, { sequencer: 'gap' })).reason).toBe('live') // a new hole gets its own grace
  })

  test('a request sent since the sequence was last whole is resyncing at once, even if the hole was never seen', () => {
    const confidence = createConfidenceTracker()
    confidence.read(at(0, { requests: 2 }))
    expect(confidence.read(at(800, { sequencer: 'gap', requests: 3 })).reason).toBe('resyncing')
    expect(confidence.read(at(810, { requests: 3 })).reason).toBe('live')
    expect(confidence.read(at(820, { sequencer: 'gap', requests: 3 })).reason).toBe('live')
  })

  test('a run that has heard nothing is low and waiting, and stale after the heartbeat timeout', () => {
    const confidence = createConfidenceTracker({ heartbeatTimeoutMs: 25_000 })
    expect(confidence.read(at(1000, { lastFrameAt: null }))).toEqual({
      confidence: 'low',
      reason: 'resyncing',
    })
    expect(confidence.read(at(26_000, { lastFrameAt: null })).reason).toBe('resyncing')
    expect(confidence.read(at(26_001, { lastFrameAt: null }))).toEqual({ confidence: 'low', reason: 'stale' })
    expect(confidence.read(at(26_002, { lastFrameAt: 26_002 })).reason).toBe('live')
  })

  test('without lastFrameAt and requests it still gives the grace, and trusts that the run was heard', () => {
    const confidence = createConfidenceTracker()
    const bare = (now: number, sequencer: ConfidenceInput['sequencer']) => ({ ...live, now, sequencer })
    expect(confidence.read(bare(0, 'gap')).reason).toBe('live')
    expect(confidence.read(bare(250, 'gap')).reason).toBe('resyncing')
  })
})

describe('confidence over a real sequencer', () => {
  const frame = (seq: number): SequencedFrame => ({
    v: 1,
    type: 'agent_thinking',
    run: 'r',
    epoch: 'e',
    seq,
    ts: 0,
    agent: 'a',
    text: `step ${seq}`,
  })

  function follow(gapTimeoutMs = 750) {
    const sequencer = createSequencer({ gapTimeoutMs })
    const confidence = createConfidenceTracker({ gapTimeoutMs })
    const reasons: string[] = []
    const read = (now: number) =>
      reasons.push(
        confidence.read({
          ...live,
          now,
          lastFrameAt: now,
          sequencer: sequencer.status(),
          requests: sequencer.stats.resyncs,
        }).reason,
      )
    const deliver = (seq: number, now: number) => {
      sequencer.ingest(frame(seq), now)
      read(now)
    }
    return { sequencer, reasons, read, deliver }
  }

  test('frames swapped in pairs, each hole filling within the grace, never show resyncing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 120 })), { minLength: 1, maxLength: 40 }),
        (steps) => {
          const { reasons, deliver } = follow()
          let seq = 1
          let now = 0
          for (const [swap, delay] of steps) {
            const order = swap ? [seq + 1, seq] : [seq, seq + 1]
            deliver(order[0]!, now)
            now += delay // the held frame waits less than the 250 ms grace
            deliver(order[1]!, now)
            seq += 2
          }
          expect(reasons.every((r) => r === 'live')).toBe(true)
        },
      ),
    )
  })

  test('a lost frame shows resyncing from the grace through the resync until the hole fills, without a flicker', () => {
    const { sequencer, reasons, read, deliver } = follow()
    deliver(1, 0)
    deliver(3, 10) // 2 is lost
    for (let now = 26; now <= 1600; now += 16) {
      sequencer.tick(now) // asks for the resync at 760
      read(now)
    }
    expect(sequencer.stats.resyncs).toBeGreaterThanOrEqual(1)
    const firstResyncing = reasons.indexOf('resyncing')
    expect(firstResyncing).toBeGreaterThan(0)
    expect(reasons.slice(firstResyncing).every((r) => r === 'resyncing')).toBe(true)
    deliver(2, 1610)
    expect(reasons.at(-1)).toBe('live')
  })
})
