import { decodeFrame, encodeFrame, utf8Length } from '../protocol/codec'
import { MAX_FRAME_BYTES, type PhaseState, type RunState } from '../protocol/types'
import { errorFrameText } from './errorFrameText'

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

/**
 * The part of a run state every snapshot must carry: everything but the activity list and progress labels
 * (informational; the phases carry the progress, and the next progress event brings labels back).
 */
export function essentialState(state: RunState): RunState {
  return { ...state, activity: [], phases: state.phases.map(essentialPhase) }
}

const encodeSnapshot = (run: string, epoch: string, seq: number, ts: number, state: RunState) =>
  encodeFrame({ v: 1, type: 'snapshot', run, epoch, seq, ts, state })

/**
 * Bytes of the smallest snapshot the hub could send for `state` (seq and ts at their widest). The hub refuses
 * any event after which this would pass PROTOCOL's 64 KiB, so every run stays resumable.
 */
export function essentialSnapshotBytes(run: string, epoch: string, state: RunState): number {
  const widest = Number.MAX_SAFE_INTEGER
  return utf8Length(encodeSnapshot(run, epoch, widest, widest, essentialState(state)))
}

/**
 * Encodes a `snapshot` frame that fits PROTOCOL's 64 KiB and passes the client's own decoder: if the state is
 * too big, the oldest activity goes first, then the progress labels. A state that still does not fit (only a
 * corrupt persisted one can) yields an `error` frame instead: a frame the client must reject would only make
 * it ask again, forever.
 */
export function snapshotText(
  run: string,
  epoch: string,
  seq: number,
  ts: number,
  state: RunState,
): SnapshotText {
  let fitted = state
  let text = encodeSnapshot(run, epoch, seq, ts, fitted)
  let fit: SnapshotFit = 'whole'
  while (utf8Length(text) > MAX_FRAME_BYTES && fitted.activity.length > 0) {
    fitted = { ...fitted, activity: fitted.activity.slice(Math.ceil(fitted.activity.length / 2)) }
    text = encodeSnapshot(run, epoch, seq, ts, fitted)
    fit = 'trimmed'
  }
  if (utf8Length(text) <= MAX_FRAME_BYTES && decodeFrame(text).ok) return { text, fit }
  // Past the activity: the labels go too (a state loaded from a store may also break the schema's limits).
  text = encodeSnapshot(run, epoch, seq, ts, essentialState(fitted))
  const decoded = decodeFrame(text)
  if (decoded.ok) return { text, fit: 'trimmed' }
  const message = `no snapshot can be sent for this run (${decoded.error.code}: ${decoded.error.detail})`
  return { text: errorFrameText('snapshot_unavailable', message, run), fit: 'unavailable' }
}
