import { parseArgs } from 'node:util'
import { DEFAULT_LIMITS } from '../core/applyEvent'
import { HUB_DEFAULTS } from '../server/hubOptions'
import { GATEWAY_DEFAULTS, type GatewayOptions } from './gatewayOptions'
import { parseDuration } from './parseDuration'

export const SERVE_USAGE = `Usage: live-progress serve [options]

One process: viewers over WebSocket (/v1/live) and SSE (/v1/sse), the HTTP publish API
(POST /v1/runs/{run}/events), GET /v1/runs/{run}, /healthz and /metrics (Prometheus).

  --port <n>                 port (default 8080; 0 = any free port)
  --host <addr>              interface (default 127.0.0.1)
  --publish-key <key>        bearer key of the publish API (env LIVE_PROGRESS_PUBLISH_KEY)
  --viewer-secret <secret>   HS256 secret of viewer tokens (env LIVE_PROGRESS_VIEWER_SECRET)
  --public                   listen beyond loopback without a publish key or viewer secret
  --cors <origin>            Access-Control-Allow-Origin for browsers on another origin (* or one origin)
  --publish-rate <n>         events per second each run may be published at (default ${GATEWAY_DEFAULTS.publishRate}; 0 = no budget)
  --publish-burst <n>        events a quiet run may publish at once (default ${GATEWAY_DEFAULTS.publishBurst})
  --idempotency-ttl <t>      how long an Idempotency-Key's answer is kept (default 24h)
  --idempotency-limit <n>    answers kept in memory at most (default ${GATEWAY_DEFAULTS.idempotencyLimit})
  --redis <url>              share runs with every instance on this Redis (env LIVE_PROGRESS_REDIS_URL),
                             e.g. redis://127.0.0.1:6379; idempotency answers move there too
  --redis-prefix <p>         prefix of every Redis key and channel (default lp:)
Hub limits:
  --heartbeat <t>            heartbeat period per followed run (default ${HUB_DEFAULTS.heartbeatMs / 1000}s)
  --ping <t>                 WebSocket ping period; a viewer answering none of two is cut (default: the heartbeat; 0 = none)
  --log-limit <n>            events kept per run for replay (default ${HUB_DEFAULTS.logLimit})
  --max-buffered-bytes <n>   a viewer this far behind is closed with 1013 (default ${HUB_DEFAULTS.maxBufferedBytes})
  --retain <t>               an ended run is kept this long after its last viewer (default ${HUB_DEFAULTS.retainMs / 60_000}m)
  --abandon <t>              a started run silent and unwatched this long is failed (default ${HUB_DEFAULTS.abandonMs / 60_000}m; 0 = never)
  --tombstone-limit <n>      forgotten run ids remembered (default ${HUB_DEFAULTS.tombstoneLimit})
  --max-subscriptions <n>    runs one connection may follow (default ${HUB_DEFAULTS.maxSubscriptions})
  --activity-limit <n>       activity entries kept per run (default ${DEFAULT_LIMITS.activityLimit}, at most 1000)
  --task-limit <n>           tasks kept per phase (default ${DEFAULT_LIMITS.taskLimit}, at most 256)
  --help                     this text

Times take ms, s, m, h or d (e.g. 500ms, 10s); a plain number is ms.
`

export interface ServeArgs {
  port: number
  host: string
  public: boolean
  help: boolean
  gateway: GatewayOptions
}

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'publish-key': { type: 'string' },
  'viewer-secret': { type: 'string' },
  public: { type: 'boolean' },
  cors: { type: 'string' },
  'publish-rate': { type: 'string' },
  'publish-burst': { type: 'string' },
  'idempotency-ttl': { type: 'string' },
  'idempotency-limit': { type: 'string' },
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  heartbeat: { type: 'string' },
  ping: { type: 'string' },
  'log-limit': { type: 'string' },
  'max-buffered-bytes': { type: 'string' },
  retain: { type: 'string' },
  abandon: { type: 'string' },
  'tombstone-limit': { type: 'string' },
  'max-subscriptions': { type: 'string' },
  'activity-limit': { type: 'string' },
  'task-limit': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

const duration = (text: string, flag: string) => parseDuration(text, `--${flag}`)

function count(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`)
  }
  return value
}

/** Is `host` a loopback address (only this machine can connect)? */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)

/**
 * Parses `live-progress serve`'s flags and environment; throws a RangeError with a message for people.
 * @example
 * const args = parseServeArgs(['--port', '0'], process.env)
 */
export function parseServeArgs(argv: readonly string[], env: Record<string, string | undefined>): ServeArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>['values']
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new RangeError((error as Error).message)
  }
  const hub: NonNullable<GatewayOptions['hub']> = {}
  const gateway: GatewayOptions = { hub }
  const publishKey = parsed['publish-key'] ?? env.LIVE_PROGRESS_PUBLISH_KEY
  const viewerSecret = parsed['viewer-secret'] ?? env.LIVE_PROGRESS_VIEWER_SECRET
  if (publishKey !== undefined && publishKey !== '') gateway.publishKey = publishKey
  if (viewerSecret !== undefined && viewerSecret !== '') {
    if (viewerSecret.length < 32) throw new RangeError('the viewer secret must be at least 32 characters')
    gateway.viewerSecret = viewerSecret
  }
  if (parsed.cors !== undefined) gateway.cors = parsed.cors
  const redis = parsed.redis ?? env.LIVE_PROGRESS_REDIS_URL
  if (redis !== undefined && redis !== '') {
    if (!/^rediss?:\/\//.test(redis))
      throw new RangeError(`--redis must be a redis:// or rediss:// URL, got "${redis}"`)
    gateway.redis = { url: redis }
    if (parsed['redis-prefix'] !== undefined) gateway.redis.prefix = parsed['redis-prefix']
  }
  const p = parsed as Record<string, string | undefined>
  // Flag → how to read it → where it goes.
  const numeric: [string, (text: string, flag: string) => number, (value: number) => void][] = [
    ['publish-rate', (t, f) => count(f, t, 0), (v) => (gateway.publishRate = v)],
    ['publish-burst', (t, f) => count(f, t, 1), (v) => (gateway.publishBurst = v)],
    ['idempotency-ttl', duration, (v) => (gateway.idempotencyMs = v)],
    ['idempotency-limit', (t, f) => count(f, t, 1), (v) => (gateway.idempotencyLimit = v)],
    ['heartbeat', (t, f) => Math.max(1, duration(t, f)), (v) => (hub.heartbeatMs = v)],
    ['ping', duration, (v) => (hub.pingMs = v)],
    ['log-limit', (t, f) => count(f, t, 1), (v) => (hub.logLimit = v)],
    ['max-buffered-bytes', (t, f) => count(f, t, 1), (v) => (hub.maxBufferedBytes = v)],
    ['retain', duration, (v) => (hub.retainMs = v)],
    ['abandon', duration, (v) => (hub.abandonMs = v)],
    ['tombstone-limit', (t, f) => count(f, t, 0), (v) => (hub.tombstoneLimit = v)],
    ['max-subscriptions', (t, f) => count(f, t, 1), (v) => (hub.maxSubscriptions = v)],
  ]
  for (const [flag, read, assign] of numeric) if (p[flag] !== undefined) assign(read(p[flag]!, flag))
  const activity = p['activity-limit']
  const tasks = p['task-limit']
  if (activity !== undefined || tasks !== undefined) {
    hub.limits = {
      activityLimit:
        activity === undefined ? DEFAULT_LIMITS.activityLimit : count('activity-limit', activity, 1, 1000),
      taskLimit: tasks === undefined ? DEFAULT_LIMITS.taskLimit : count('task-limit', tasks, 1, 256),
    }
  }
  return {
    port: parsed.port === undefined ? 8080 : count('port', parsed.port, 0, 65535),
    host: parsed.host ?? '127.0.0.1',
    public: parsed.public ?? false,
    help: parsed.help ?? false,
    gateway,
  }
}
