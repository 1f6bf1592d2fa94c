import { MAX_FRAME_BYTES } from '../protocol/types'

/** `ws`'s own default `maxPayload`: lowered without a word, since nobody chose it. */
const WS_DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024

/** What `hardenSocketServer` reads of a WebSocket server: `ws`'s `WebSocketServer` keeps its options here. */
interface WithOptions {
  options?: { maxPayload?: number; allowSynchronousEvents?: boolean }
}

/**
 * Makes a `ws` server safe to face the internet with the hub; `ws` reads these options for each new connection,
 * so they apply to every socket accepted after:
 * - incoming messages larger than PROTOCOL's 64 KiB frame are refused (`ws` closes with 1009 before buffering
 *   them): ws's default of 100 MiB is lowered to 64 KiB, and a larger `maxPayload` someone set (or 0, no limit)
 *   too, with a word through `warn`, since it overrides a choice;
 * - each socket's messages are handled one per turn of the event loop (`allowSynchronousEvents: false`), so a
 *   client that pipelines thousands of frames in one TCP read waits its turn instead of holding the loop.
 * @example
 * hardenSocketServer(wss, (message) => console.warn(message))
 */
export function hardenSocketServer(server: unknown, warn: (message: string) => void): void {
  const options = (server as WithOptions | null)?.options
  if (typeof options !== 'object' || options === null) return
  options.allowSynchronousEvents = false
  const current = options.maxPayload
  if (typeof current === 'number' && current > 0 && current <= MAX_FRAME_BYTES) return
  options.maxPayload = MAX_FRAME_BYTES
  if (current === WS_DEFAULT_MAX_PAYLOAD) return
  const was = current === undefined || current === 0 ? 'no limit' : `${current} bytes`
  warn(
    `live-progress: lowered the WebSocket server's maxPayload from ${was} to ${MAX_FRAME_BYTES} bytes, the protocol's frame limit (larger messages close the socket with 1009).`,
  )
}

/** The default `warn`: a console warning, read at call time. */
export const consoleWarn = (message: string): void => {
  globalThis.console?.warn(message)
}
