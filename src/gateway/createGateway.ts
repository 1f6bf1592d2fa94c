import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { attachWebSocket } from '../server/attachWebSocket'
import type { ProgressHub } from '../server/createProgressHub'
import { createRedisStore, type RedisStore } from '../server/redis/createRedisStore'
import { acceptSse } from '../server/sse'
import { checkBearer } from './checkBearer'
import { createGatewayHub } from './createGatewayHub'
import { createGatewayMetrics } from './createGatewayMetrics'
import { createMemoryIdempotencyStore } from './createIdempotencyStore'
import { createPublishHandler } from './createPublishHandler'
import { createRateBudget } from './createRateBudget'
import { createRedisIdempotencyStore } from './createRedisIdempotencyStore'
import { createViewerAuth } from './createViewerAuth'
import { GATEWAY_DEFAULTS, type GatewayOptions } from './gatewayOptions'
import { replyError, replyJson } from './httpReply'
import { matchRoute, type Route } from './matchRoute'

export interface Gateway {
  server: Server
  hub: ProgressHub<IncomingMessage>
  /** The Redis engine when `redis` was given: runs, idempotency answers and fan-out shared by every instance. */
  redis: RedisStore | null
  /** Listens and resolves with the base URL (`http://host:port`). */
  listen(port: number, host: string): Promise<string>
  /** Stops accepting, closes viewers with 1001, writes unsaved state, closes the server. Idempotent. */
  close(): Promise<void>
}

const PREFLIGHT = {
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, idempotency-key, last-event-id',
  'access-control-max-age': '600',
}

/**
 * `live-progress serve` as a library: one Node HTTP server with viewers over WebSocket (`/v1/live`) and SSE
 * (`/v1/sse`), the HTTP publish API (`POST /v1/runs/{run}/events`), `GET /v1/runs/{run}`, `/healthz` and
 * `/metrics`.
 * @example
 * const gateway = createGateway({ publishKey: process.env.KEY })
 * console.log(await gateway.listen(8080, '127.0.0.1'))
 */
export function createGateway(options: GatewayOptions = {}): Gateway {
  const report = options.onError ?? (() => {})
  const auth = createViewerAuth(options.viewerSecret, options.hub?.now)
  const redis = options.redis
    ? createRedisStore({
        url: options.redis.url,
        prefix: options.redis.prefix,
        logLimit: options.hub?.logLimit,
        onError: (error) => report(error, 'redis'),
      })
    : null
  const hub = createGatewayHub(redis ? { ...options.hub, store: redis } : options.hub, auth.authorize, report)
  const metrics = createGatewayMetrics(() => hub.metrics())
  const cors: Record<string, string> = options.cors ? { 'access-control-allow-origin': options.cors } : {}
  if (options.cors && options.cors !== '*') cors.vary = 'origin'
  const publish = createPublishHandler({
    hub,
    publishKey: options.publishKey,
    budget: createRateBudget({
      ratePerSecond: options.publishRate ?? GATEWAY_DEFAULTS.publishRate,
      burst: options.publishBurst ?? GATEWAY_DEFAULTS.publishBurst,
    }),
    store:
      options.idempotencyStore ??
      (redis ? createRedisIdempotencyStore(redis.client, redis.prefix) : null) ??
      createMemoryIdempotencyStore({
        maxEntries: options.idempotencyLimit ?? GATEWAY_DEFAULTS.idempotencyLimit,
      }),
    idempotencyMs: options.idempotencyMs ?? GATEWAY_DEFAULTS.idempotencyMs,
    metrics,
    headers: cors,
  })
  const wss = new WebSocketServer({ noServer: true, maxPayload: GATEWAY_DEFAULTS.maxBodyBytes })
  const sockets = attachWebSocket(hub, wss)
  const server = createServer({ keepAliveTimeout: 65_000 })
  let closing: Promise<void> | null = null

  /** `GET /v1/runs/{run}` serves server rendering (the publish key) and viewers (a token for the run). */
  async function mayRead(request: IncomingMessage, runId: string) {
    if (
      options.publishKey !== undefined &&
      checkBearer(request.headers.authorization, options.publishKey) === 'ok'
    ) {
      return true
    }
    return (await auth.admit(request)) && auth.authorize(request, runId)
  }

  async function handle(request: IncomingMessage, response: ServerResponse, route: Route) {
    const method = request.method ?? 'GET'
    if (method === 'OPTIONS' && route.name !== 'unknown') {
      response.writeHead(204, { ...cors, ...PREFLIGHT })
      return response.end()
    }
    const only = (allowed: string) => {
      if (method === allowed) return true
      replyError(response, 405, { code: 'method_not_allowed', message: `use ${allowed}` }, { allow: allowed })
      return false
    }
    switch (route.name) {
      case 'publish':
        if (only('POST')) await publish(request, response, route.run)
        return
      case 'run': {
        if (!only('GET')) return
        if (!(await mayRead(request, route.run))) {
          const message = 'a viewer token for this run (or the publish key) is needed'
          return replyError(response, 403, { code: 'forbidden', message }, cors)
        }
        // With Redis the run may live on another instance: the store has its latest snapshot.
        const stored = redis ? await redis.load(route.run, 0) : undefined
        const found = stored
          ? { epoch: stored.epoch, seq: stored.head, state: stored.state }
          : hub.peek(route.run)
        if (!found) return replyError(response, 404, { code: 'unknown_run', message: 'no such run' }, cors)
        return replyJson(response, 200, found, cors)
      }
      case 'sse':
        if (!only('GET')) return
        if (!(await auth.admit(request))) {
          return replyError(
            response,
            401,
            { code: 'unauthorized', message: 'a valid ?token= is needed' },
            cors,
          )
        }
        acceptSse(hub, request, response, { headers: cors })
        return
      case 'healthz': {
        const ok = !closing && (redis?.isReady() ?? true)
        const store = redis ? { redis: redis.isReady() } : {}
        return replyJson(response, ok ? 200 : 503, { ok, ...store, ...hub.metrics() })
      }
      case 'metrics': {
        const text = await metrics.text()
        response.writeHead(200, { 'content-type': metrics.contentType })
        return response.end(text)
      }
      default:
        replyError(response, 404, { code: 'not_found', message: 'no such endpoint' })
    }
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now()
    const route = matchRoute(new URL(request.url ?? '/', 'http://localhost').pathname)
    const method = request.method ?? 'GET'
    // SSE responses stay open: their latency is the time to the head.
    const done = () =>
      metrics.request(route.name, method, response.statusCode, (performance.now() - started) / 1000)
    if (route.name === 'sse') response.once('close', done)
    else response.once('finish', done)
    handle(request, response, route).catch((error: unknown) => {
      report(error, `http ${route.name}`)
      if (!response.headersSent) replyError(response, 500, { code: 'internal', message: 'internal error' })
      else response.destroy()
    })
  })

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    }
    if (closing) return refuse(503, 'Service Unavailable')
    if (matchRoute(new URL(request.url ?? '/', 'http://localhost').pathname).name !== 'live') {
      return refuse(404, 'Not Found')
    }
    socket.on('error', () => {})
    auth.admit(request).then(
      (admitted) => {
        if (!admitted) return refuse(401, 'Unauthorized')
        wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request))
      },
      () => refuse(500, 'Internal Server Error'),
    )
  })

  /** Resolves once every viewer socket has closed, or after `ms`. */
  function drained(ms: number) {
    return new Promise<void>((resolve) => {
      const started = Date.now()
      const poll = () =>
        wss.clients.size === 0 || Date.now() - started >= ms ? resolve() : setTimeout(poll, 20)
      poll()
    })
  }

  async function shutdown() {
    server.close()
    // The hub closes every viewer with 1001 and writes unsaved state; the viewers answer the close handshake.
    await hub.close()
    await drained(GATEWAY_DEFAULTS.closeGraceMs)
    await sockets.close()
    server.closeAllConnections()
    await redis?.close()
  }

  return {
    server,
    hub,
    redis,
    async listen(port, host) {
      if (redis) await reachable(redis, options.redis!.url)
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const address = server.address() as AddressInfo
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
          resolve(`http://${shown}:${address.port}`)
        })
      })
    },
    close() {
      closing ??= shutdown()
      return closing
    },
  }
}

/** Waits for Redis before listening, so a gateway that cannot reach it says so instead of serving half. */
async function reachable(redis: RedisStore, url: string) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`cannot reach Redis at ${url}`)),
      GATEWAY_DEFAULTS.redisConnectMs,
    )
  })
  try {
    await Promise.race([redis.ready(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
