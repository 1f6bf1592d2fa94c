import { isCriticalEntry, trimActivity } from '../core/activityEntries'
import { applyEvent } from '../core/applyEvent'
import { decodeFrame, encodeFrame, overBytes, utf8Length } from '../protocol/codec'
import { type ActivityEntry, MAX_FRAME_BYTES, type PhaseState, type RunState } from '../protocol/types'
import { errorFrameText } from './errorFrameText'

/** Longest activity text a snapshot keeps once texts must be cut (decision 4: texts go before entries). */
export const SNAPSHOT_TEXT_CUT = 160

/** How a snapshot had to be fitted into one frame. */
export type SnapshotFit = 'whole' | 'trimmed' | 'unavailable'

export interface SnapshotText {
  /** The frame to send: the snapshot, or an `error {code: "snapshot_unavailable"}` when none can be sent. */
  text: string
  fit: SnapshotFit
}

/** A phase without what it may lose in a snapshot: the last progress label of the phase and of its tasks. */
function essentialPhase(phase: PhaseState): PhaseState {
  if (phase.detail === undefined && !phase.tasks?.some((task) => task.label !== undefined)) return phase
  const { detail: _, ...rest } = phase
  if (rest.tasks) rest.tasks = rest.tasks.map(({ label: _label, ...task }) => task)
  return rest
}

/** The activity with every text longer than the cut shortened to it (an ellipsis marks the cut). */
function cutTexts(activity: ActivityEntry[]): ActivityEntry[] {
  if (!activity.some((entry) => (entry.text?.length ?? 0) > SNAPSHOT_TEXT_CUT)) return activity
  return activity.map((entry) =>
    entry.text !== undefined && entry.text.length > SNAPSHOT_TEXT_CUT
      ? { ...entry, text: `${entry.text.slice(0, SNAPSHOT_TEXT_CUT - 1)}…` }
      : entry,
  )
}

/**
 * The part of a run state every snapshot must carry (decision 4): the phases without their progress labels
 * (informational; the next progress event brings them back) and, of the activity, every open agent and call
 * and every failure, texts cut.
 */
export function essentialState(state: RunState): RunState {
  const activity = cutTexts(state.activity.filter(isCriticalEntry))
  return { ...state, activity, phases: state.phases.map(essentialPhase) }
}

const encodeSnapshot = (run: string, epoch: string, seq: number, ts: number, state: RunState) =>
  encodeFrame({ v: 1, type: 'snapshot', run, epoch, seq, ts, state })

/**
 * Bytes of the smallest snapshot the hub could send for `state` (seq and ts at their widest), measured as the run's
 * end would leave it (open parts closed as interrupted: the end itself must never be refused). The hub refuses any
 * event after which this would pass PROTOCOL's 64 KiB, so every run stays resumable.
 */
export function essentialSnapshotBytes(run: string, epoch: string, state: RunState): number {
  const widest = Number.MAX_SAFE_INTEGER
  const end = { v: 1, type: 'run_cancelled', run, epoch, seq: widest, ts: widest } as const
  const ended = applyEvent(state, end).state
  return utf8Length(encodeSnapshot(run, epoch, widest, widest, essentialState(ended)))
}

/**
 * Encodes a `snapshot` frame that fits PROTOCOL's 64 KiB and passes the client's own decoder. If the state is too
 * big (decision 4), long activity texts are cut first, then the oldest entries go, never an open agent or call
 * nor a failure, then the progress labels. A state that still does not fit (only a corrupt persisted one can)
 * yields an `error` frame instead: a frame the client must reject would only make it ask again, forever.
 */
export function snapshotText(
  run: string,
  epoch: string,
  seq: number,
  ts: number,
  state: RunState,
): SnapshotText {
  let fitted = state
  let text = ''
  const fits = () => !overBytes(text, MAX_FRAME_BYTES)
  // A run whose activity texts alone pass the cap (long thoughts) is cut without encoding it whole first.
  let chars = 0
  for (const entry of state.activity) chars += entry.text?.length ?? 0
  if (chars <= MAX_FRAME_BYTES) {
    text = encodeSnapshot(run, epoch, seq, ts, fitted)
    if (fits() && decodeFrame(text).ok) return { text, fit: 'whole' }
  }
  const retry = (activity: ActivityEntry[]) => {
    fitted = { ...fitted, activity }
    text = encodeSnapshot(run, epoch, seq, ts, fitted)
  }
  retry(cutTexts(fitted.activity))
  // The newest of the other entries are kept: halve how many until it fits or none is left.
  const critical = fitted.activity.filter(isCriticalEntry).length
  let others = fitted.activity.length - critical
  while (!fits() && others > 0) {
    others >>= 1
    retry(trimActivity(fitted.activity, critical + others))
  }
  if (fits() && decodeFrame(text).ok) return { text, fit: 'trimmed' }
  // Past the activity: the labels go too (a state loaded from a store may also break the schema's limits).
  text = encodeSnapshot(run, epoch, seq, ts, essentialState(fitted))
  const decoded = fits() ? decodeFrame(text) : null
  if (decoded?.ok) return { text, fit: 'trimmed' }
  const why = decoded
    ? `${decoded.error.code}: ${decoded.error.detail}`
    : `more than ${MAX_FRAME_BYTES} bytes`
  const message = `no snapshot can be sent for this run (${why})`
  return { text: errorFrameText('snapshot_unavailable', message, run), fit: 'unavailable' }
}
