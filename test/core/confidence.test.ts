import { type ConfidenceInput, readConfidence } from '../../src/core/confidence'

const live: ConfidenceInput = {
  status: 'running',
  disconnected: false,
  stale: false,
  sequencer: 'live',
  estimated: false,
}

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
