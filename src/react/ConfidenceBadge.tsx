import { type ComponentPropsWithoutRef, forwardRef, useEffect, useRef, useState } from 'react'
import type { RunView } from '../core/RunView'
import type { LabelsOverride } from './labels'
import { useProgressClient } from './ProgressProvider'
import { cx, shallowEqual } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'
import { useTicker } from './useTicker'

// "No updates for …" moves in 5 s steps; a 1 s ticker while stale puts each step on screen within a second.
const STALE_STEP_MS = 5000
const STALE_TICK_MS = 1000

// A dropped connection is the same news for every run it carries, and so is its return: per source, the first
// badge to announce the drop speaks for it (a finished run's badge never says "Reconnecting…", so it is never
// chosen) and announces the return; every other badge updates its words with the live region off.
const CONNECTION_WIDE = 'reconnecting'
const voices = new WeakMap<object, object>()

/** Whether this announcement is read out, decided when it is made (not per render), so badges cannot disagree. */
function speaks(source: object, token: object, from: string | undefined, to: string | undefined): boolean {
  if (to === CONNECTION_WIDE) {
    if (!voices.has(source)) voices.set(source, token)
    return voices.get(source) === token
  }
  if (from !== CONNECTION_WIDE) return true
  // Leaving the drop: only its voice says so, and the next drop picks a voice afresh.
  if (voices.get(source) !== token) return false
  voices.delete(source)
  return true
}

export interface ConfidenceBadgeProps extends Omit<ComponentPropsWithoutRef<'span'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
  /** The reason must hold this long before screen readers hear it (no chatter on flapping links). Default 1000. */
  announceDelayMs?: number
  /** Local clock for "No updates for …"; defaults to `Date.now`. */
  now?: () => number
}

// Only what the badge draws: `lastFrameAt` moves with every flush, so it is selected only while the run is stale
// (no frame arrives then, so it holds still), and `lastEventAt` only while the producer is silent (no event then);
// a flush that changes nothing visible does not re-render the badge.
const pick = (run: RunView) => ({
  confidence: run.confidence,
  reason: run.confidenceReason,
  status: run.status,
  heard: run.lastFrameAt !== null,
  silentSince:
    run.confidenceReason === 'stale'
      ? run.lastFrameAt
      : run.confidenceReason === 'producer_silent'
        ? run.lastEventAt
        : null,
})

/**
 * How far to trust the bar: `data-confidence` 'high' | 'medium' | 'low' and `data-state` = the reason ('live', 'estimated',
 * 'reconnecting', 'resyncing', 'stale', 'waiting', 'restarted', 'producer_silent', 'unordered', 'final'; 'pending'
 * before its first frame) and `data-status` = the run status, with words such as "Live", "Estimated",
 * "Reconnecting…", "Catching up…", "No updates for 30 sec", "Waiting for the job to start", "Restarted" or
 * "No progress for 45 sec". A visually hidden polite live region repeats the
 * words only after the reason has held for `announceDelayMs`, so a flapping connection is not read out each time;
 * a dropped connection and its return are read out by one badge per source, not once per run on a dashboard.
 * @example
 * <ConfidenceBadge runId="r1" labels={{ confidence: { live: 'Up to date' } }} />
 */
export const ConfidenceBadge = forwardRef<HTMLSpanElement, ConfidenceBadgeProps>(function ConfidenceBadge(
  { runId, labels: override, locale, announceDelayMs = 1000, now = Date.now, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const run = useRun(runId, pick, shallowEqual)
  const source = useProgressClient()
  const token = useRef({}).current
  // Nothing heard yet: the core reads that as catching up (or live, without a tracker); the badge says it waits.
  // A wait that went stale or a dropped connection is still said as such.
  const heard = run !== undefined && (run.heard || (run.reason !== 'live' && run.reason !== 'resyncing'))
  const reason = heard ? run.reason : undefined
  const silentSince = run?.silentSince ?? null
  // While silent nothing arrives to re-render the badge: a ticker moves "No updates for …" on.
  const t = useTicker(silentSince !== null, STALE_TICK_MS, now)
  let text = labels.waiting
  if (run?.reason === 'final') text = labels.runStatus[run.status]
  else if (silentSince !== null) {
    // Rounded down to 5 s so the words do not twitch between renders.
    text = labels[reason === 'stale' ? 'stale' : 'producerSilent'](
      format.duration(Math.floor((t - silentSince) / STALE_STEP_MS) * STALE_STEP_MS),
    )
  } else if (reason) text = labels.confidence[reason]
  const latest = useRef({ text, reason })
  latest.current = { text, reason }
  const [announced, setAnnounced] = useState({ ...latest.current, aloud: true })
  const said = useRef(announced)
  // Only a new reason restarts the wait: "No updates for 30 sec" → "35 sec" is not news.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reason` is the trigger; the words come from a ref.
  useEffect(() => {
    const timer = setTimeout(() => {
      const next = {
        ...latest.current,
        aloud: speaks(source, token, said.current.reason, latest.current.reason),
      }
      said.current = next
      setAnnounced(next)
    }, announceDelayMs)
    return () => clearTimeout(timer)
  }, [source, reason, announceDelayMs])
  // A voice that goes away leaves the next drop to another badge.
  useEffect(
    () => () => {
      if (voices.get(source) === token) voices.delete(source)
    },
    [source, token],
  )
  return (
    <span
      data-state={reason ?? 'pending'}
      data-confidence={heard ? run.confidence : undefined}
      data-status={run?.status ?? 'pending'}
      ref={ref}
      className={cx('lp-badge', className)}
      {...rest}
    >
      <span aria-hidden="true">{text}</span>
      <span
        className="lp-sr-only"
        role="status"
        aria-live={announced.aloud ? 'polite' : 'off'}
        aria-atomic="true"
      >
        {announced.text}
      </span>
    </span>
  )
})
