/** A URL, or a function giving one (or a promise of one) on every attempt: fresh auth tokens on reconnect. */
export type UrlProvider = string | (() => string) | (() => Promise<string>)

/** Why a transport could not connect or lost its connection. Reported, never thrown. */
export type TransportError =
  | { kind: 'url'; detail: string }
  | { kind: 'socket'; detail: string }
  | { kind: 'gave-up'; attempts: number }

/** What a transport tells its owner. Every call happens on a live transport: never after `close()`. */
export interface TransportHandlers {
  /**
   * A connection attempt starts. `attempt` counts the attempts since the last stable connection:
   * 0 for the very first one, 1 for the first retry after a loss, and so on.
   */
  onConnecting(attempt: number): void
  /** The connection is open: the owner (re)subscribes everything it follows. */
  onOpen(): void
  /** One frame from the server, as the socket delivered it (text, or bytes). */
  onMessage(data: unknown): void
  /** The connection is gone. `final`: no further attempt will be made (gave up, or closed). */
  onClose(final: boolean): void
  onError(error: TransportError): void
}

/** A live connection to one server, reconnecting by itself until `close()`. */
export interface Transport {
  /** Sends one text frame; false when not open (the frame is dropped, never queued: the owner resubscribes on open). */
  send(text: string): boolean
  /** Closes for good: no more attempts, no more handler calls. Idempotent. */
  close(): void
  /**
   * Drops the current connection however healthy it looks and connects again (after the reconnect policy's
   * backoff); the owner resubscribes on open. The client calls it when an open connection stays silent past the
   * heartbeat timeout (PROTOCOL v1.1 rule 8). Optional for custom transports: without it a silent one only shows.
   */
  reconnect?(): void
  readonly isOpen: boolean
}

/**
 * Makes a transport. Kept this small so that SSE or an in-memory transport (Storybook, tests) can
 * stand in for the WebSocket one.
 * @example
 * const factory: TransportFactory = (handlers) => createWebSocketTransport(handlers, { url })
 */
export type TransportFactory = (handlers: TransportHandlers) => Transport
