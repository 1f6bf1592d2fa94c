import type { IncomingMessage } from 'node:http'
import type { ProgressHubOptions } from '../server/hubOptions'
import type { IdempotencyStore } from './createIdempotencyStore'

/** Options of `createGateway`; all optional (see `GATEWAY_DEFAULTS`). */
export interface GatewayOptions {
  /** Bearer key of the HTTP publish API; without it anyone who reaches the port may publish. */
  publishKey?: string
  /** HS256 secret of viewer tokens; without it every viewer may follow every run. */
  viewerSecret?: string
  /** `Access-Control-Allow-Origin` for browsers on another origin (`*` or one origin). */
  cors?: string
  /** Events per second each run may be published at through HTTP (0: no budget). */
  publishRate?: number
  /** Events a quiet run may publish at once before the rate applies. */
  publishBurst?: number
  /** How long an `Idempotency-Key`'s answer is kept, ms. */
  idempotencyMs?: number
  /** Idempotency answers kept in memory at most. */
  idempotencyLimit?: number
  /** Where idempotency answers live (default: in memory, bounded). */
  idempotencyStore?: IdempotencyStore
  /**
   * Redis for scale-out (`live-progress serve --redis`): runs, replay logs and idempotency answers live there,
   * so several gateways behind a load balancer serve the same runs.
   */
  redis?: { url: string; prefix?: string }
  /** The hub's own options (limits, timers, persist). `authorize` is the gateway's (viewer tokens). */
  hub?: Omit<ProgressHubOptions<IncomingMessage>, 'authorize'>
  /** Where the gateway reports errors it swallows. */
  onError?: (error: unknown, context: string) => void
}

/** PROTOCOL v1.1 D's limits and the gateway's defaults. */
export const GATEWAY_DEFAULTS = {
  maxBatchEvents: 256,
  maxBodyBytes: 1024 * 1024,
  publishRate: 1000,
  publishBurst: 2000,
  idempotencyMs: 24 * 60 * 60_000,
  idempotencyLimit: 100_000,
  /** How long shutdown waits for viewers to answer the 1001 close before cutting them. */
  closeGraceMs: 2000,
  /** How long `listen` waits for Redis before it gives up. */
  redisConnectMs: 10_000,
} as const
