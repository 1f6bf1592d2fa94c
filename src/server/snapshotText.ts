import { encodeFrame, utf8Length } from '../protocol/codec'
import { MAX_FRAME_BYTES, type RunState } from '../protocol/types'

/**
 * Encodes a `snapshot` frame that fits PROTOCOL's 64 KiB: if the state is too big, the oldest activity
 * entries go first (they are informational; phases carry the progress). Reports when even that is not enough.
 */
export function snapshotText(
  run: string,
  epoch: string,
  seq: number,
  ts: number,
  state: RunState,
  onTooLarge: (error: Error) => void,
): string {
  let fitted = state
  let text = encodeFrame({ v: 1, type: 'snapshot', run, epoch, seq, ts, state: fitted })
  while (utf8Length(text) > MAX_FRAME_BYTES && fitted.activity.length > 0) {
    fitted = { ...fitted, activity: fitted.activity.slice(Math.ceil(fitted.activity.length / 2)) }
    text = encodeFrame({ v: 1, type: 'snapshot', run, epoch, seq, ts, state: fitted })
  }
  if (utf8Length(text) > MAX_FRAME_BYTES) onTooLarge(new Error(`snapshot of ${utf8Length(text)} bytes`))
  return text
}
