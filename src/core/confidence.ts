import type { RunStatus } from '../protocol/types'
import type { SequencerStatus } from './sequencer'

export type Confidence = 'high' | 'medium' | 'low'
/** Why the bar is as trustworthy as it says, most serious first. */
export type ConfidenceReason =
  | 'final'
  | 'reconnecting'
  | 'stale'
  | 'resyncing'
  | 'unordered'
  | 'estimated'
  | 'live'

export interface ConfidenceInput {
  status: RunStatus
  /** The transport is down (or not yet up): what we show may be behind. */
  disconnected: boolean
  /** No frame for this run within the heartbeat timeout. */
  stale: boolean
  sequencer: SequencerStatus
  /** Part of the displayed value is a time-based estimate. */
  estimated: boolean
  /** The source carries no trustworthy seq (adapters): order is by arrival. */
  unordered?: boolean
}

export interface ConfidenceReading {
  confidence: Confidence
  reason: ConfidenceReason
}

/** How much a person should trust the bar right now, and why. */
export function readConfidence(input: ConfidenceInput): ConfidenceReading {
  const terminal = input.status === 'completed' || input.status === 'failed' || input.status === 'cancelled'
  if (terminal) return { confidence: 'high', reason: 'final' }
  if (input.disconnected) return { confidence: 'low', reason: 'reconnecting' }
  if (input.stale) return { confidence: 'low', reason: 'stale' }
  if (input.sequencer !== 'live') return { confidence: 'medium', reason: 'resyncing' }
  if (input.unordered) return { confidence: 'medium', reason: 'unordered' }
  if (input.estimated) return { confidence: 'medium', reason: 'estimated' }
  return { confidence: 'high', reason: 'live' }
}
