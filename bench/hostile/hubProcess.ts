/**
 * The hub under attack, alone in its process: a `ws` server and an SSE handler on 127.0.0.1 with an `authorize`
 * hook (ids starting with `secret` are forbidden) and the hub's default limits; a well-behaved publisher ticking
 * `good` at 20 events/s (each event's label is the time it was due, so the good client can measure latency
 * including any stall of this process); `big` (10,000 events in its log) and `fat-*` runs (snapshots near 64 KiB)
 * to make answers expensive; `quiet` (started, then silent); `secret-1` to try to leak. The parent reads stats and drives in-process loads over IPC.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { getHeapStatistics } from 'node:v8'
import { WebSocketServer } from 'ws'
import { attachWebSocket } from '../../src/server/attachWebSocket'
import { createProgressHub } from '../../src/server/createProgressHub'
import { createSseHandler } from '../../src/server/sse'
import { serveIpc } from './ipc'
import { measureHubMemory } from './measureHubMemory'
import { type Stall, watchStalls } from './stallWatch'

export interface HubStats {
  peakHeapMB: number
  heapMB: number
  loopDelayMaxMs: number
  /** The event loop's longest stall, with the CPU time the process and its main thread spent in it. */
  longestStall: Stall
  goodHead: number
  metrics: Record<string, number>
  /** Object.prototype gained a property: a frame polluted it. */
  polluted: boolean
  /** TCP connections open on the hub's server now (WebSocket, SSE and HTTP). */
  openSockets: number
}

export const FAT_RUNS = 40
const TICK_MS = 50
const plan = [{ id: 'work', label: 'Work', weight: 1 }]
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})

const hub = createProgressHub<IncomingMessage>({
  authorize: (_request, runId) => !runId.startsWith('secret'),
  onError: (error, context) => console.error(`hub: ${context}: ${String(error)}`),
})
const sse = createSseHandler(hub, { keepAliveMs: 5_000 })
// Every HTTP request goes to the SSE handler (WebSocket upgrades on /progress go to the hub's ws server).
const server = createServer((request, response) => sse(request, response))
server.on('clientError', (_error, socket) => socket.destroy())
// Sockets open on the server side, to see that the ones the hub cut are really gone.
let openSockets = 0
server.on('connection', (socket) => {
  openSockets++
  socket.on('close', () => openSockets--)
})
attachWebSocket(hub, server, { path: '/progress', onWarning: () => {} })

async function seed() {
  await hub.run('quiet').start(plan, { title: 'a run with nothing going on' })
  const secret = hub.run('secret-1')
  await secret.start(plan, { title: 'TOP SECRET' })
  await secret.agentThinking('spy', 'TOP SECRET plans')
  const big = hub.run('big')
  await big.start(plan)
  await big.phaseStarted('work')
  const pending: Promise<number>[] = []
  for (let i = 1; i < 10_000; i++) pending.push(big.phaseProgress('work', i, 10_000, `item ${i}`))
  await Promise.all(pending)
  const thought = 'a long line of reasoning that fills the activity feed of this run '.repeat(4)
  for (let f = 0; f < FAT_RUNS; f++) {
    const fat = hub.run(`fat-${f}`)
    await fat.start(plan)
    for (let i = 0; i < 200; i++) await fat.agentThinking(`agent-${i % 5}`, `${i} ${thought}`)
  }
}

// The good run: tick i is due at t0 + i × 50 ms; a late timer publishes every tick that is due, each with its own
// due time, so a stall shows up as latency.
const good = hub.run('good')
let ticks = 0
let t0 = 0
function tick() {
  const now = Date.now()
  while (t0 + ticks * TICK_MS <= now) {
    ticks++
    void good.phaseProgress('work', ticks, 1_000_000_000, String(t0 + ticks * TICK_MS))
  }
  setTimeout(tick, Math.max(0, t0 + ticks * TICK_MS + TICK_MS - Date.now()))
}

// Peak heap, sampled (V8's statistics: process.memoryUsage also reads the RSS, which costs more); the event
// loop's longest delay, from perf_hooks.
let peakHeap = 0
const sample = () => {
  peakHeap = Math.max(peakHeap, getHeapStatistics().used_heap_size)
}
setInterval(sample, 20).unref()
const delay = monitorEventLoopDelay({ resolution: 10 })
delay.enable()
const stalls = watchStalls(() => hub.metrics().connections)
const protoKeys = Object.getOwnPropertyNames(Object.prototype).length

// A noisy run for SSE readers to fall behind on: 4 KB events, up to ~2 MB/s while it is on.
let noise: ReturnType<typeof setInterval> | null = null
const line = 'x'.repeat(4000)

await seed()
await good.start(plan)
await good.phaseStarted('work')
t0 = Date.now()
tick()
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

// A bare `ws` server in this same process, on its own port, answering every message with the text of `quiet`'s
// snapshot: what Node and `ws` alone cost under the connections attack, without the hub's code (or its hang-up queue).
const quietSnapshot = JSON.stringify({
  v: 1,
  type: 'snapshot',
  run: 'quiet',
  epoch: 'bare',
  seq: 1,
  ts: Date.now(),
  state: hub.run('quiet').state(),
})
const bareServer = createServer()
new WebSocketServer({ server: bareServer, maxPayload: 64 * 1024 }).on('connection', (socket) => {
  socket.on('message', () => socket.send(quietSnapshot))
  socket.on('error', () => {})
})
await new Promise<void>((resolve) => bareServer.listen(0, '127.0.0.1', resolve))

serveIpc(
  {
    reset() {
      gc()
      peakHeap = getHeapStatistics().used_heap_size
      delay.reset()
      stalls.reset()
      return null
    },
    stats(): HubStats {
      sample()
      const mb = (bytes: number) => bytes / 1024 / 1024
      return {
        peakHeapMB: mb(peakHeap),
        heapMB: mb(getHeapStatistics().used_heap_size),
        loopDelayMaxMs: delay.max / 1e6,
        longestStall: stalls.longest(),
        goodHead: good.head,
        metrics: hub.metrics() as unknown as Record<string, number>,
        openSockets,
        polluted:
          Object.getOwnPropertyNames(Object.prototype).length !== protoKeys ||
          ({} as Record<string, unknown>).polluted !== undefined,
      }
    },
    noise(on) {
      if (noise) clearInterval(noise)
      noise = null
      if (on) {
        const run = hub.run('noisy')
        if (run.head === 0) void run.start(plan)
        noise = setInterval(() => void run.agentThinking('n', line), 2)
      }
      return null
    },
    /** Concurrent producers: `tasks` tasks publish `events` task counts each into one run, all at once. */
    async publishers(args) {
      const { tasks, events } = args as { tasks: number; events: number }
      const run = hub.run(`storm-${Date.now()}`)
      await run.start(plan)
      await run.phaseStarted('work')
      await Promise.all(
        Array.from({ length: tasks }, async (_, t) => {
          // Each task works between its events (a turn of the event loop), as producers do.
          for (let done = 1; done <= events; done++) {
            await run.taskProgress('work', `t${t}`, done, events)
            await new Promise((resolve) => setImmediate(resolve))
          }
        }),
      )
      const phase = run.state().phases[0]!
      return { head: run.head, done: phase.done, total: phase.total, expected: 2 + tasks * events }
    },
    memory: (args) => measureHubMemory(args as { count: number }),
    /** Heap in use after a full GC, bytes. */
    heap() {
      gc()
      gc()
      return process.memoryUsage().heapUsed
    },
  },
  {
    port: (server.address() as AddressInfo).port,
    barePort: (bareServer.address() as AddressInfo).port,
    fatRuns: FAT_RUNS,
  },
)
