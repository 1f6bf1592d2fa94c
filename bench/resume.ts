/**
 * Resume cost: a live client (createProgressClient over a real WebSocket on loopback) misses 10,000 events
 * while disconnected, then reconnects. Time to the caught-up state when it is sent a snapshot (what the hub
 * answers: a replay costlier than its snapshot becomes the snapshot), against when it is sent the whole log
 * after its seq (what the hub did before, served here by a small server replaying the hub's own frames),
 * side by side.
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

const listen = () =>
  new Promise<WebSocketServer>((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server))
  })
const urlOf = (wss: WebSocketServer) => `ws://127.0.0.1:${(wss.address() as { port: number }).port}`

/** Answers every subscribe with each recorded frame after its `after`: the whole-log replay, however long. */
function serveLog(wss: WebSocketServer, frames: { seq: number; text: string }[]) {
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const request = JSON.parse(String(data)) as { type: string; after?: number }
      if (request.type !== 'subscribe' && request.type !== 'resync') return
      for (const frame of frames) if (frame.seq > (request.after ?? 0)) socket.send(frame.text)
    })
  })
}

/** One reconnect after `missed` events; returns ms from the reconnect attempt to the caught-up store. */
async function resumeOnce(missed: number, answer: 'replay' | 'snapshot'): Promise<number> {
  const hub = createProgressHub({ logLimit: missed * 2, heartbeatMs: 60_000 })
  const wss = await listen()
  const served = attachWebSocket(hub, wss, { onWarning: () => {} })
  const logServer = await listen()
  const recorded: { seq: number; text: string }[] = []
  serveLog(logServer, recorded)
  const url = urlOf(wss)
  // The client's url provider waits on this gate: it stays offline while the events it misses are published.
  let gate: Promise<void> = Promise.resolve()
  let open = () => {}
  let target = url
  const client = createProgressClient({
    url: async () => {
      await gate
      return target
    },
    WebSocket: WebSocket as never,
    reconnect: { minReconnectionDelay: 1, maxReconnectionDelay: 1 },
  })
  const runId = 'resume-run'
  client.follow(runId)
  const run = hub.run(runId)
  // Every frame of the run, as the hub sent it, for the log server.
  const recorder = hub.connect({
    send: (text) => recorded.push({ seq: (JSON.parse(text) as { seq: number }).seq, text }),
    bufferedAmount: 0,
    close() {},
  })
  recorder.receive(JSON.stringify({ v: 1, type: 'subscribe', run: runId }))
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
  target = answer === 'replay' ? urlOf(logServer) : url
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
  if (usedSnapshot !== (answer === 'snapshot')) throw new Error(`resume bench: expected a ${answer}`)
  if (client.store.getState().runs[runId]?.phases[0]?.done !== done)
    throw new Error('resume bench: wrong state')
  client.close()
  await served.close()
  for (const socket of logServer.clients) socket.terminate()
  await Promise.all([wss, logServer].map((server) => new Promise((resolve) => server.close(resolve))))
  await hub.close()
  return elapsed
}

export async function benchResume(options: { missed?: number; reps?: number } = {}) {
  const missed = options.missed ?? 10_000
  const results = await sideBySide(options.reps ?? 5, {
    replay: () => resumeOnce(missed, 'replay'),
    snapshot: () => resumeOnce(missed, 'snapshot'),
  })
  const rows: Row[] = [
    {
      measure: `resume after missing ${missed.toLocaleString('en-US')} events: replay of the whole log (the hub's frames, loopback ws)`,
      value: fmt(results.replay, 'ms', 1, 1),
      ratio: '1×',
      target: '',
      verdict: '',
    },
    {
      measure: "resume after the same gap: the hub's answer, a snapshot (the replay would cost more)",
      value: fmt(results.snapshot, 'ms', 1, 1),
      ratio: `${fmtRatio(ratio(results.replay, results.snapshot), 1)} faster than replay`,
      target: '',
      verdict: '',
    },
  ]
  return { rows, notes: [] as string[] }
}
