import type { IncomingMessage } from 'node:http'
import { WebSocket, WebSocketServer } from 'ws'
import { createProgressClient, type ProgressClient, type ProgressClientOptions } from '../../src/client/index'
import type { PhasePlanEntry } from '../../src/protocol/types'
import {
  attachWebSocket,
  createProgressHub,
  type ProgressHub,
  type ProgressHubOptions,
  type RunPublisher,
} from '../../src/server/index'

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` until it returns something other than undefined; rejects after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

export interface RunningHub {
  hub: ProgressHub<IncomingMessage>
  url: string
  port: number
  close(): Promise<void>
}

/** The real hub on a real `ws` server on 127.0.0.1 (port 0 unless a restart wants the old one). */
export function startHub(options: ProgressHubOptions<IncomingMessage> = {}, port = 0): Promise<RunningHub> {
  return serveHub(createProgressHub<IncomingMessage>({ heartbeatMs: 30, ...options }), port)
}

/** Puts an existing hub on a socket: a restarted backend may have published before it listens again. */
export async function serveHub(hub: ProgressHub<IncomingMessage>, port = 0): Promise<RunningHub> {
  const wss: WebSocketServer = await new Promise((resolve, reject) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port }, () => resolve(server))
    server.once('error', reject)
  })
  const attached = attachWebSocket(hub, wss)
  const address = wss.address()
  const bound = typeof address === 'object' && address !== null ? address.port : 0
  return {
    hub,
    port: bound,
    url: `ws://127.0.0.1:${bound}`,
    async close() {
      await hub.close()
      await attached.close()
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

export const FAST_RECONNECT = {
  minReconnectionDelay: 5,
  maxReconnectionDelay: 30,
  minUptime: 50,
  connectionTimeout: 1000,
}

export function startClient(url: string, options: Partial<ProgressClientOptions> = {}): ProgressClient {
  return createProgressClient({
    url,
    WebSocket,
    reconnect: FAST_RECONNECT,
    gapTimeoutMs: 30,
    flush: 'sync',
    ...options,
  })
}

export const PLAN: PhasePlanEntry[] = [
  { id: 'plan', label: 'Plan', weight: 1 },
  { id: 'search', label: 'Search', weight: 4 },
  { id: 'read', label: 'Read', weight: 2 },
  { id: 'reason', label: 'Reason', weight: 2, expectedMs: 400 },
  { id: 'write', label: 'Write', weight: 1 },
]

const pause = (rng: () => number, maxMs: number) => sleep(Math.floor(rng() * maxMs))

/**
 * A realistic research run: five phases, a search phase fed by 8 parallel async tasks (task_progress),
 * a read phase whose total grows, an agentic phase with no counts but tool calls, then a short write.
 * `from` passes quickly through the phases before it (a restarted backend catching up with its job).
 */
export async function produceRun(run: RunPublisher, rng: () => number, from = 'plan'): Promise<void> {
  const bodies: Record<string, () => Promise<unknown>> = {
    async plan() {
      for (let done = 1; done <= 3; done++) {
        await pause(rng, 6)
        await run.phaseProgress('plan', done, 3, `step ${done}`)
      }
    },
    search: () =>
      Promise.all(
        Array.from({ length: 8 }, async (_, task) => {
          const total = 3 + Math.floor(rng() * 5)
          for (let done = 1; done <= total; done++) {
            await pause(rng, 10)
            await run.taskProgress('search', `query-${task}`, done, total, `query ${task}`)
          }
        }),
      ),
    async read() {
      let total = 4
      for (let done = 1; done <= total; done++) {
        await pause(rng, 6)
        if (done === 3) total = 8 // found more sources to read
        await run.phaseProgress('read', done, total)
      }
    },
    async reason() {
      await run.agentStarted('planner')
      await run.agentThinking('planner', 'comparing the sources')
      await Promise.all(
        Array.from({ length: 4 }, async (_, call) => {
          const tool = call % 2 ? 'web.fetch' : 'pdf.read'
          await pause(rng, 15)
          await run.toolExecuting(`call-${call}`, tool, 'planner')
          await pause(rng, 15)
          await run.toolCompleted(`call-${call}`, tool, { ok: call !== 3, agent: 'planner' })
        }),
      )
      await run.agentThinking('planner', 'drafting the answer')
      await run.agentCompleted('planner', true)
    },
    async write() {
      for (let done = 1; done <= 2; done++) {
        await pause(rng, 6)
        await run.phaseProgress('write', done, 2)
      }
    },
  }
  const order = PLAN.map((phase) => phase.id)
  await run.start(PLAN, { title: 'Research: live progress' })
  let open: string | null = null
  for (const id of order) {
    if (open === null) await run.phaseStarted(id)
    else await run.transition(open, id)
    open = id
    if (order.indexOf(id) >= order.indexOf(from)) await bodies[id]!()
  }
  await run.phaseCompleted(open!)
  await run.complete()
}

/** Checks at every store publish what must hold at every moment, and keeps what it saw. */
export function watchRun(client: ProgressClient, runId: string) {
  const violations: string[] = []
  let publishes = 0
  let last: { epoch: string | null; displayed: number } | null = null
  const unsubscribe = client.store.subscribe((state) => {
    publishes++
    const view = state.runs[runId]
    if (!view) return
    if (view.displayed < 0 || view.displayed > 1) violations.push(`displayed ${view.displayed} out of range`)
    if (last !== null && view.epoch === last.epoch && view.displayed < last.displayed) {
      violations.push(`displayed went back ${last.displayed} → ${view.displayed} in epoch ${view.epoch}`)
    }
    last = { epoch: view.epoch, displayed: view.displayed }
  })
  return {
    violations,
    publishes: () => publishes,
    stop: unsubscribe,
  }
}
