import { encodeFrame } from '../protocol/codec'
import type { ErrorFrame } from '../protocol/types'

/**
 * The wire text of an `error` frame (PROTOCOL: `v`, `code`, `message`, `run?`); the message is cut to the
 * schema's 4,096 characters so the frame always decodes.
 * @example
 * peer.send(errorFrameText('unknown_run', 'no such run', runId))
 */
export function errorFrameText(code: string, message: string, run?: string): string {
  const frame: ErrorFrame = { v: 1, type: 'error', code, message: message.slice(0, 4096) }
  if (run !== undefined) frame.run = run
  return encodeFrame(frame)
}
