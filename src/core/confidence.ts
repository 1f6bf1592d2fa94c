import type { RunStatus } from '../protocol/types'
import { isTerminal } from './runDraft'
import { SEQUENCER_DEFAULTS, type SequencerStatus } from './sequencer'

export type Confidence = 'high' | 'medium' | 'low'
/** Why the bar is as trustworthy as it says, most serious first. */
export type ConfidenceReason =
  | 'final'
  | 'reconnecting'
  | 'stale'
  /** The hub says the run has issued nothing yet (`subscribed`/heartbeat at head 0): it waits for its job. */
  | 'waiting'
  | 'resyncing'
  /** The run started over under a new epoch and the bar went down (for a short notice, then as usual). */
  | 'restarted'
  /** The connection is fine but the run's producer has sent no event for longer than its phase allows. */
  | 'producer_silent'
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
  /** Nothing at all has arrived for this run yet. Omitted: assumed heard. */
  heard?: boolean
  /** How long the sequencer's hole has been open. Omitted: unknown, so a hole counts at once. */
  gapOpenMs?: number
  /** A resync or snapshot request is out for the hole: the client is catching up for real. */
  requestInFlight?: boolean
  /** The hub says the run has issued nothing yet, and nothing is shown: a calm wait, not a silence. */
  waiting?: boolean
  /** The run restarted under a new epoch a moment ago and the bar went down. */
  restarted?: boolean
  /** No event for longer than the active phase allows (see `stallThreshold`), on a live connection. */
  producerSilent?: boolean
}

export interface ConfidenceReading {
  confidence: Confidence
  reason: ConfidenceReason
}

export interface ConfidenceOptions {
  /** A hole younger than this (and with no request out) is a reorder in flight, not catching up. */
  resyncGraceMs?: number
  /** The sequencer's gap timeout: the default grace is a third of it, at most 250 ms. */
  gapTimeoutMs?: number
  /** A run that has heard nothing for this long since it was first read is stale. */
  heartbeatTimeoutMs?: number
  /** No event for this long while an active phase reports counts → `producer_silent` (see `stallThreshold`). */
  stallAfterMs?: number
  /** How long `restarted` is the reason after a restart lowered the bar (the view's flag stays for the epoch). */
  restartNoticeMs?: number
}

export const CONFIDENCE_DEFAULTS = {
  maxResyncGraceMs: 250,
  heartbeatTimeoutMs: 25_000,
  restartNoticeMs: 10_000,
} as const

/**
 * PROTOCOL v1.1 rule 8's heartbeat timeout: `heartbeatTimeoutMs` when set, else 2.5 × the period the server announced
 * in `subscribed`, else 25 s.
 * @example
 * heartbeatTimeout(undefined, 10_000) // 25_000
 */
export const heartbeatTimeout = (heartbeatTimeoutMs?: number, announcedMs?: number | null): number =>
  heartbeatTimeoutMs ?? (announcedMs ? 2.5 * announcedMs : CONFIDENCE_DEFAULTS.heartbeatTimeoutMs)

/** The grace a hole gets before it shows as `resyncing`: min(250 ms, gap timeout / 3) unless set. */
export function resyncGrace(options: ConfidenceOptions = {}): number {
  const gapTimeoutMs = options.gapTimeoutMs ?? SEQUENCER_DEFAULTS.gapTimeoutMs
  return options.resyncGraceMs ?? Math.min(CONFIDENCE_DEFAULTS.maxResyncGraceMs, gapTimeoutMs / 3)
}

/**
 * How much a person should trust the bar right now, and why. A run that has heard nothing is `low`: it
 * shows no state of the server's yet, only the wait for it (`resyncing`, "catching up").
 * @example
 * readConfidence({ status: 'running', disconnected: false, stale: false, sequencer: 'live', estimated: true })
 * // { confidence: 'medium', reason: 'estimated' }
 */
export function readConfidence(input: ConfidenceInput, options: ConfidenceOptions = {}): ConfidenceReading {
  if (isTerminal(input.status)) return { confidence: 'high', reason: 'final' }
  if (input.disconnected) return { confidence: 'low', reason: 'reconnecting' }
  if (input.stale) return { confidence: 'low', reason: 'stale' }
  if (input.waiting) return { confidence: 'high', reason: 'waiting' }
  if (input.heard === false) return { confidence: 'low', reason: 'resyncing' }
  // A snapshot is only awaited after one was asked for; a young hole is usually a reorder about to fill.
  const catchingUp =
    input.sequencer === 'awaiting-snapshot' ||
    (input.sequencer === 'gap' &&
      (input.requestInFlight === true ||
        input.gapOpenMs === undefined ||
        input.gapOpenMs >= resyncGrace(options)))
  if (catchingUp) return { confidence: 'medium', reason: 'resyncing' }
  if (input.restarted) return { confidence: 'medium', reason: 'restarted' }
  if (input.producerSilent) return { confidence: 'medium', reason: 'producer_silent' }
  if (input.unordered) return { confidence: 'medium', reason: 'unordered' }
  if (input.estimated) return { confidence: 'medium', reason: 'estimated' }
  return { confidence: 'high', reason: 'live' }
}

/** What {@link ConfidenceTracker.read} is given each time a run's view is built. */
export interface ObservedConfidenceInput
  extends Omit<ConfidenceInput, 'heard' | 'gapOpenMs' | 'requestInFlight'> {
  /** Local time of this reading. */
  now: number
  /** Local time of the run's last frame; null while nothing has arrived. Omitted: assumed heard. */
  lastFrameAt?: number | null
  /** Requests the sequencer has sent so far (`stats.resyncs`). Omitted: only the grace tells. */
  requests?: number
}

export interface ConfidenceTracker {
  read(input: ObservedConfidenceInput): ConfidenceReading
}

/**
 * {@link readConfidence} for one run over time: it measures how long a hole has been open from the
 * readings it is given, notices a request sent since the sequence was last whole, and turns a wait for a
 * first frame into `stale` after the heartbeat timeout. So a frame held for a few ms no longer flips the
 * badge to "Catching up…" and back.
 * @example
 * const confidence = createConfidenceTracker({ gapTimeoutMs: 750 })
 * const { reason } = confidence.read({ ...input, now, lastFrameAt, requests: sequencer.stats.resyncs })
 */
export function createConfidenceTracker(options: ConfidenceOptions = {}): ConfidenceTracker {
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? CONFIDENCE_DEFAULTS.heartbeatTimeoutMs
  let firstReadAt: number | null = null
  let gapSeenAt: number | null = null
  let requestsWhenWhole = 0

  return {
    read({ now, lastFrameAt, requests, ...input }) {
      firstReadAt ??= now
      if (input.sequencer === 'live') {
        gapSeenAt = null
        requestsWhenWhole = requests ?? 0
      } else gapSeenAt ??= now
      const heard = lastFrameAt !== null
      const waitedTooLong = !heard && now - firstReadAt > heartbeatTimeoutMs
      return readConfidence(
        {
          ...input,
          stale: input.stale || waitedTooLong,
          heard,
          gapOpenMs: gapSeenAt === null ? 0 : now - gapSeenAt,
          requestInFlight: requests !== undefined && requests > requestsWhenWhole,
        },
        options,
      )
    },
  }
}
