/**
 * Publish over HTTP: events/s into `live-progress serve` (a child process, as deployed) for one hot run and for
 * 1,000 runs, through keep-alive agents, side by side with in-process publishing (`hub.run(id)` in this
 * process); and the latency from a POST to a following WebSocket client, beside in-process publishing to a
 * client of a hub on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { IncomingMessage } from 'node:http'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import { WebSocket, WebSocketServer } from 'ws'
import { attachWebSocket } from '../src/server/attachWebSocket'
import { createProgressHub } from '../src/server/createProgressHub'
import { fmt, fmtRatio, percentiles, plainRow, type Row, ratio, type summarize } from './measure'
import { hubPublisher, PLAN, type Publish, publishThroughput } from './publishThroughput'
import { repoRoot } from './size'

/** Starts `live-progress serve` (source through tsx) on a free port; resolves with its base URL. */
async function startGateway(): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src/gateway/cli.ts'), 'serve', '--port', '0', '--publish-rate', '0'],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)))
  })
  return { base, child }
}

/** POSTs a batch with a keep-alive agent; rejects unless 200. */
function httpPublisher(base: string, agent: Agent): Publish {
  return (run, events) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ events })
      const req = request(
        `${base}/v1/runs/${encodeURIComponent(run)}/events`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res: IncomingMessage) => {
          res.resume()
          res.on('end', () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
          )
        },
      )
      req.on('error', reject)
      req.end(body)
    })
}

/** ms from publishing each event to a following client receiving it, one event at a time. */
async function latencies(publish: Publish, wsUrl: string, run: string, count: number): Promise<number[]> {
  const socket = new WebSocket(wsUrl)
  await new Promise((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  let arrived: ((seq: number) => void) | null = null
  let subscribed: () => void = () => {}
  socket.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as { type: string; seq?: number; run?: string }
    if (frame.run === run && frame.type === 'task_progress') arrived?.(frame.seq!)
    if (frame.run === run && frame.type === 'subscribed') subscribed()
  })
  // Events published before the subscribe is served would come in its snapshot, not live.
  await new Promise<void>((resolve) => {
    subscribed = resolve
    socket.send(JSON.stringify({ v: 1, type: 'subscribe', run }))
  })
  await publish(run, [
    { type: 'run_started', plan: PLAN },
    { type: 'phase_started', phase: 'search' },
  ])
  const out: number[] = []
  for (let done = 1; done <= count; done++) {
    const received = new Promise<number>((resolve) => (arrived = resolve))
    const start = performance.now()
    await Promise.all([
      publish(run, [{ type: 'task_progress', phase: 'search', task: 't', done, total: count }]),
      received,
    ])
    out.push(performance.now() - start)
  }
  socket.close()
  return out
}

export async function benchPublishHttp(options: {
  events: number
  runs: number
  reps: number
  latencyCount: number
}) {
  const gateway = await startGateway()
  const agent = new Agent({ keepAlive: true, maxSockets: 64 })
  const http = httpPublisher(gateway.base, agent)
  const hub = createProgressHub({ heartbeatMs: 60_000 })
  const inProcess = hubPublisher(hub)
  const { hot, many, workers } = await publishThroughput({ http, inProcess }, options)

  // Latency: the gateway's own WebSocket, against a hub in this process served on loopback.
  const wss = await new Promise<WebSocketServer>((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server))
  })
  const served = attachWebSocket(hub as never, wss)
  const localUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`
  const gatewayWs = `${gateway.base.replace(/^http/, 'ws')}/v1/live`
  const lat = { http: [] as number[], inProcess: [] as number[] }
  for (let r = 0; r < options.reps; r++) {
    lat.http.push(...(await latencies(http, gatewayWs, `lat-http-${r}`, options.latencyCount)))
    lat.inProcess.push(...(await latencies(inProcess, localUrl, `lat-mem-${r}`, options.latencyCount)))
  }
  await served.close()
  await new Promise((resolve) => wss.close(resolve))
  await hub.close()
  agent.destroy()
  gateway.child.kill('SIGTERM')

  const p = percentiles
  const httpLat = p(lat.http)
  const memLat = p(lat.inProcess)
  const k = (s: ReturnType<typeof summarize>) => fmt(s, 'k events/s', 1000, 1)
  const rows: Row[] = [
    plainRow(
      `publish, one hot run: in-process (${workers} concurrent producers, one event per call)`,
      k(hot.inProcess),
    ),
    plainRow(
      'publish, one hot run: over HTTP to `live-progress serve` (one event per POST, keep-alive)',
      k(hot.http),
      `${fmtRatio(ratio(hot.http, hot.inProcess), 3)} of in-process`,
    ),
    plainRow(
      `publish, ${options.runs.toLocaleString('en-US')} runs: in-process (32 producers)`,
      k(many.inProcess),
    ),
    plainRow(
      `publish, ${options.runs.toLocaleString('en-US')} runs: over HTTP (one event per POST, keep-alive)`,
      k(many.http),
      `${fmtRatio(ratio(many.http, many.inProcess), 3)} of in-process`,
    ),
    plainRow(
      'publish → following client, in-process hub on loopback ws: p50 / p99',
      `${memLat.p50.toFixed(2)} / ${memLat.p99.toFixed(2)} ms`,
    ),
    plainRow(
      'POST → following client of `live-progress serve`: p50 / p99',
      `${httpLat.p50.toFixed(2)} / ${httpLat.p99.toFixed(2)} ms`,
      `${(httpLat.p50 / memLat.p50).toFixed(1)}× / ${(httpLat.p99 / memLat.p99).toFixed(1)}× the in-process latency`,
    ),
  ]
  const notes = [
    `Publish over HTTP: \`live-progress serve\` runs as a child process (the source through tsx) on this machine's 2 cores with the load generator; ${options.latencyCount} sequential events per repetition for latency (${lat.http.length} in all per variant).`,
  ]
  return { rows, notes }
}
