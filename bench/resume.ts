/**
 * Resume cost: a live client (createProgressClient over a real WebSocket on loopback) misses 10,000 events
 * while disconnected, then reconnects. Time to the caught-up state when the hub can replay its log, against
 * when it cannot and sends a snapshot (its log is shorter than the gap), side by side.
 */
import { WebSocket, WebSocketServer } from 'ws'
import { createProgressClient } from '../src/client/createProgressClient'
import { attachWebSocket } from '../src/server/attachWebSocket'
import { createProgressHub } from '../src/server/createProgressHub'
import { fmt, fmtRatio, type Row, ratio, sideBySide } from './measure'

const PLAN = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'write', label: 'Write', weight: 1 },
]

async function until(check: () => boolean, timeoutMs = 30_000) {
  const start = performance.now()
  while (!check()) {
    if (performance.now() - start > timeoutMs) throw new Error('resume bench: timed out')
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

/** One reconnect after `missed` events; returns ms from the reconnect attempt to the caught-up store. */
async function resumeOnce(missed: number, logLimit: number, expect: 'replay' | 'snapshot'): Promise<number> {
  const hub = createProgressHub({ logLimit, heartbeatMs: 60_000 })
  const wss = await new Promise<WebSocketServer>((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server))
  })
  const served = attachWebSocket(hub, wss)
  const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`
  // The client's url provider waits on this gate: it stays offline while the events it misses are published.
  let gate: Promise<void> = Promise.resolve()
  let open = () => {}
  const client = createProgressClient({
    url: async () => {
      await gate
      return url
    },
    WebSocket: WebSocket as never,
    reconnect: { minReconnectionDelay: 1, maxReconnectionDelay: 1 },
  })
  const runId = 'resume-run'
  client.follow(runId)
  const run = hub.run(runId)
  await run.start(PLAN)
  await run.phaseStarted('search')
  let done = 0
  const total = missed * 4
  for (let i = 0; i < 100; i++) await run.phaseProgress('search', ++done, total)
  const seqOf = () => client.store.getState().runs[runId]?.seq ?? 0
  await until(() => seqOf() === run.head)

  gate = new Promise((resolve) => {
    open = resolve
  })
  for (const socket of wss.clients) socket.terminate()
  await until(() => client.store.getState().connection.status !== 'open')
  const pending: Promise<number>[] = []
  for (let i = 0; i < missed; i++)
    pending.push(run.phaseProgress('search', ++done, total, `${done} of ${total}`))
  await Promise.all(pending)
  const snapshotsBefore = hub.metrics().snapshotsSent

  const start = performance.now()
  open()
  await until(() => seqOf() === run.head)
  const elapsed = performance.now() - start
  const usedSnapshot = hub.metrics().snapshotsSent > snapshotsBefore
  if (usedSnapshot !== (expect === 'snapshot')) throw new Error(`resume bench: expected a ${expect}`)
  if (client.store.getState().runs[runId]?.phases[0]?.done !== done)
    throw new Error('resume bench: wrong state')
  client.close()
  await served.close()
  await new Promise((resolve) => wss.close(resolve))
  await hub.close()
  return elapsed
}

export async function benchResume(options: { missed?: number; reps?: number } = {}) {
  const missed = options.missed ?? 10_000
  const results = await sideBySide(options.reps ?? 5, {
    replay: () => resumeOnce(missed, missed * 2, 'replay'),
    snapshot: () => resumeOnce(missed, Math.floor(missed / 10), 'snapshot'),
  })
  const rows: Row[] = [
    {
      measure: `resume after missing ${missed.toLocaleString('en-US')} events: replay of the log (real hub, loopback ws)`,
      value: fmt(results.replay, 'ms', 1, 1),
      ratio: '1×',
      target: '',
      verdict: '',
    },
    {
      measure: 'resume after the same gap: snapshot (log shorter than the gap)',
      value: fmt(results.snapshot, 'ms', 1, 1),
      ratio: `${fmtRatio(ratio(results.replay, results.snapshot), 1)} faster than replay`,
      target: '',
      verdict: '',
    },
  ]
  return { rows, notes: [] as string[] }
}
