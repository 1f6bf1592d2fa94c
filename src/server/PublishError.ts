import type { RejectReason } from '../core/applyEvent'

/** Why the hub refused a producer's event. Reducer reasons (PROTOCOL rule 6) plus the hub's own. */
export type PublishErrorReason =
  | RejectReason
  /** The event does not match PROTOCOL's schema (e.g. `done > total`, an empty plan). */
  | 'invalid_event'
  /** The encoded frame is larger than PROTOCOL's 64 KiB. */
  | 'frame_too_large'
  /** After it the run's state could not be sent as one snapshot (64 KiB, 256 phases): clients could not resume. */
  | 'state_too_large'
  /** `hub.close()` was called. */
  | 'hub_closed'
  /** The shared store (Redis) could not be reached, or the run kept moving under other instances' appends. */
  | 'store_unavailable'
  /** More calls of the run's publisher were waiting than `maxQueuedPublishes`: await them. */
  | 'overloaded'

/**
 * The typed rejection of a publisher method. The event was not logged, not sent, and nothing changed.
 * @example
 * try { await run.phaseProgress('search', 3, 2) } catch (e) { if (e instanceof PublishError) log(e.reason) }
 */
export class PublishError extends Error {
  override readonly name = 'PublishError'
  constructor(
    readonly reason: PublishErrorReason,
    readonly runId: string,
    readonly eventType: string,
    detail?: string,
  ) {
    super(`${eventType} refused for run ${runId}: ${reason}${detail ? ` (${detail})` : ''}`)
  }
}
