import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { MAX_FRAME_BYTES } from '../src/protocol/types'
import type { HubConnection } from '../src/server/createConnection'
import { CALM, type ChaosPeer, type ChaosSettings, createChaosPeer } from './chaosPeer'
import { createHubHost } from './createHubHost'
import { createRequestGuard } from './createRequestGuard'
import { createRunBoard } from './createRunBoard'
import { servePage } from './servePage'
import { seededRandom } from './simulateResearchRun'

export interface DemoServerOptions {
  port: number
  host: string
  /** Serve the built page from this folder; leave out when a Vite dev server serves it. */
  pageDir?: string
  speed?: number
  seed?: number
  concurrency?: number
  chaos?: ChaosSettings
  /** Restart the hub this often, ms; 0 = never. */
  restartEveryMs?: number
  log?: (line: string) => void
}

/** What the page can change at run time (POST /api/chaos). */
export interface DemoChaos extends ChaosSettings {
  restartEveryMs: number
}

const MAX_BODY = 16 * 1024
/** WebSocket connections the demo serves at once (each is a browser tab, or a test). */
const MAX_SOCKETS = 100
/** Frames a connection may send while a hub restart is in progress. */
const MAX_PENDING = 256

function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    let body = ''
    request.setEncoding('utf8')
    request.on('data', (chunk: string) => {
      body += chunk
      if (body.length > MAX_BODY) request.destroy()
    })
    request.on('end', () => {
      try {
        resolve(body === '' ? {} : JSON.parse(body))
      } catch {
        resolve(undefined)
      }
    })
    request.on('error', () => resolve(undefined))
  })
}

const rate = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : fallback
const duration = (value: unknown, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(3_600_000, Math.max(0, value)) : fallback

/**
 * The demo backend in one HTTP server: the reference hub on `/live` (each connection behind a chaos peer),
 * a small JSON API on `/api/*`, and the built page on everything else.
 */
export async function createDemoServer(options: DemoServerOptions) {
  const log = options.log ?? (() => {})
  const chaos: DemoChaos = { ...CALM, ...options.chaos, restartEveryMs: options.restartEveryMs ?? 0 }
  const host = createHubHost({ onError: (error, context) => log(`hub: ${context}: ${String(error)}`) })
  const board = createRunBoard({
    host,
    speed: options.speed ?? 1,
    seed: options.seed ?? 1,
    concurrency: options.concurrency ?? 3,
    onError: (error, runId) => log(`run ${runId}: ${error instanceof Error ? error.message : String(error)}`),
  })
  const random = seededRandom(options.seed ?? 1)
  const peers = new Set<ChaosPeer>()
  let restartTimer: ReturnType<typeof setTimeout> | undefined

  function scheduleRestart() {
    if (restartTimer) clearTimeout(restartTimer)
    restartTimer = undefined
    if (chaos.restartEveryMs > 0) {
      restartTimer = setTimeout(() => {
        void host.restart().then(scheduleRestart)
      }, chaos.restartEveryMs)
    }
  }

  const state = () => ({
    chaos,
    runs: board.list(),
    restarts: host.restarts,
    connections: peers.size,
    speed: options.speed ?? 1,
  })

  const guard = createRequestGuard({ host: options.host })

  // A response that already started (a failed stream) can only be cut: never a second writeHead.
  const send = (response: ServerResponse, status: number, body: unknown) => {
    if (response.headersSent) {
      response.destroy()
      return
    }
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    })
    response.end(JSON.stringify(body))
  }

  async function api(request: IncomingMessage, response: ServerResponse, path: string) {
    const method = request.method ?? 'GET'
    if (method === 'GET' && (path === '/api/state' || path === '/api/runs'))
      return send(response, 200, state())
    if (method !== 'POST') return send(response, 405, { error: 'use GET /api/state or POST' })
    const body = (await readJson(request)) as Record<string, unknown> | undefined
    if (typeof body !== 'object' || body === null) return send(response, 400, { error: 'body must be JSON' })
    if (path === '/api/runs') {
      const count = typeof body.count === 'number' ? body.count : 1
      const ids = await board.start(count)
      if (ids.length === 0) return send(response, 429, { error: 'the backlog is full: wait for runs to end' })
      return send(response, 201, { ids })
    }
    if (path === '/api/chaos') {
      chaos.reorder = rate(body.reorder, chaos.reorder)
      chaos.duplicate = rate(body.duplicate, chaos.duplicate)
      chaos.drop = rate(body.drop, chaos.drop)
      chaos.killEveryMs = duration(body.killEveryMs, chaos.killEveryMs)
      const restartEveryMs = duration(body.restartEveryMs, chaos.restartEveryMs)
      if (restartEveryMs !== chaos.restartEveryMs) {
        chaos.restartEveryMs = restartEveryMs
        scheduleRestart()
      }
      return send(response, 200, state())
    }
    if (path === '/api/kill') {
      const killed = peers.size
      for (const peer of [...peers]) peer.kill()
      return send(response, 200, { killed })
    }
    if (path === '/api/restart') {
      await host.restart()
      return send(response, 200, { restarts: host.restarts })
    }
    return send(response, 404, { error: `no ${path}` })
  }

  function page(response: ServerResponse, path: string) {
    if (!options.pageDir) return send(response, 404, { error: 'the page is served by the Vite dev server' })
    const refused = servePage(options.pageDir, path, response)
    if (refused) send(response, refused.status, { error: refused.error })
  }

  function readPath(url: string | undefined): string | null {
    try {
      return new URL(url ?? '/', 'http://localhost').pathname
    } catch {
      return null
    }
  }

  const server = createServer((request, response) => {
    const verdict = guard.check(request)
    if (!verdict.ok) return send(response, verdict.status, { error: verdict.reason })
    const path = readPath(request.url)
    if (path === null) return send(response, 400, { error: 'unreadable request target' })
    if (path.startsWith('/api/')) {
      api(request, response, path).catch((error) => send(response, 500, { error: String(error) }))
    } else page(response, path)
  })
  server.on('clientError', (_error, socket) => socket.destroy())

  // Listen before the WebSocketServer exists: it would re-emit a taken port as an unhandled 'error'.
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port, options.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    board.close()
    await host.close()
    throw error
  }
  const wss = new WebSocketServer({
    server,
    path: '/live',
    maxPayload: MAX_FRAME_BYTES,
    // The same Host and Origin checks as HTTP: a page elsewhere cannot open the socket, even through DNS rebinding.
    verifyClient: ({ req }, done) => {
      const verdict = guard.check(req)
      if (!verdict.ok) return done(false, verdict.status, verdict.reason)
      if (wss.clients.size >= MAX_SOCKETS) return done(false, 503, 'too many connections')
      done(true)
    },
  })
  wss.on('connection', async (socket, request) => {
    socket.on('error', () => {}) // 'close' follows every error
    const chaosPeer = createChaosPeer(
      {
        send: (text) => socket.send(text),
        get bufferedAmount() {
          return socket.bufferedAmount
        },
        close: (code, reason) => socket.close(code, reason),
      },
      { settings: () => chaos, random },
    )
    peers.add(chaosPeer)
    const pending: [data: unknown, binary: boolean][] = []
    let connection: HubConnection | null = null
    let gone = false
    socket.on('message', (data, isBinary) => {
      if (connection) return connection.receive(data, isBinary)
      if (pending.length >= MAX_PENDING) return socket.close(1008, 'too many frames during a restart')
      pending.push([data, isBinary])
    })
    socket.on('close', () => {
      gone = true
      chaosPeer.dispose()
      peers.delete(chaosPeer)
      connection?.closed()
    })
    await host.ready() // a connection arriving mid-restart waits for the new hub
    if (gone) return
    connection = host.hub.connect(chaosPeer, request)
    for (const [data, binary] of pending.splice(0)) connection.receive(data, binary)
  })

  scheduleRestart()
  const address = server.address() as AddressInfo
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${address.port}/`

  return {
    url,
    port: address.port,
    board,
    host,
    chaos,
    /** Stops the simulations, closes the hub, every socket and the HTTP server. */
    async close() {
      if (restartTimer) clearTimeout(restartTimer)
      board.close()
      await host.close()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

export type DemoServer = Awaited<ReturnType<typeof createDemoServer>>
