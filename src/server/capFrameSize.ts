import { MAX_FRAME_BYTES } from '../protocol/types'

/** What `capFrameSize` reads of a WebSocket server: `ws`'s `WebSocketServer` keeps its options here. */
interface WithPayloadOption {
  options?: { maxPayload?: number }
}

/**
 * Makes a WebSocket server refuse incoming messages larger than PROTOCOL's 64 KiB frame (`ws` closes with 1009
 * before buffering them). `ws` reads `maxPayload` for each new connection, so lowering it applies to every socket
 * accepted after. Says so through `warn` when it had to lower it (ws's default is 100 MiB; 0 means no limit).
 * @example
 * capFrameSize(wss, (message) => console.warn(message))
 */
export function capFrameSize(server: unknown, warn: (message: string) => void): void {
  const options = (server as WithPayloadOption | null)?.options
  if (typeof options !== 'object' || options === null) return
  const current = options.maxPayload
  if (typeof current === 'number' && current > 0 && current <= MAX_FRAME_BYTES) return
  options.maxPayload = MAX_FRAME_BYTES
  const was = current === undefined || current === 0 ? 'no limit' : `${current} bytes`
  warn(
    `live-progress: lowered the WebSocket server's maxPayload from ${was} to ${MAX_FRAME_BYTES} bytes, the protocol's frame limit (larger messages close the socket with 1009).`,
  )
}

/** The default `warn`: a console warning, read at call time. */
export const consoleWarn = (message: string): void => {
  globalThis.console?.warn(message)
}
