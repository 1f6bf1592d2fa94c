/**
 * `npm run replay`: replays a recorded five-phase research run through the real client core, after doing to
 * it what concurrent producers and a flaky network do (reordering, duplicates, losses, a dropped
 * connection), and prints what the progress bar would show at each step.
 *
 * Flags: --fast (no pauses), --speed N (virtual seconds per real second, default 15), --seed N.
 */
import { readFileSync } from 'node:fs'
import { createProgressStore, type RunView, type SchedulerEnv } from '../src/index'
import { chaos } from './replay/chaos'
import { createRandom } from './replay/random'
import { EPOCH, type LogFrame, RECORDING, RUN_ID, T0 } from './replay/recordRun'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const index = args.indexOf(name)
  return index >= 0 ? Number(args[index + 1]) : fallback
}
const fast = args.includes('--fast') || !process.stdout.isTTY
const speed = flag('--speed', 15)
const random = createRandom(flag('--seed', 7))

const log: LogFrame[] = readFileSync(RECORDING, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as LogFrame)
const bySeq = new Map(
  log.flatMap((frame) => (frame.type === 'heartbeat' ? [] : [[frame.seq, frame] as const])),
)

// Virtual time: the store's clock and timers, advanced by the replay (so gap timeouts and estimates run).
let clock = T0
const timers = new Map<number, { at: number; fn: () => void }>()
let timerId = 0
const env: SchedulerEnv = {
  setTimeout: (fn, ms) => {
    timers.set(++timerId, { at: clock + ms, fn })
    return timerId
  },
  clearTimeout: (handle) => {
    timers.delete(handle as number)
  },
}
/** The earliest pending timer, if any. */
function nextTimer() {
  let due: [number, { at: number; fn: () => void }] | undefined
  for (const entry of timers) if (!due || entry[1].at < due[1].at) due = entry
  return due
}

// The "server": a queue of frames in flight, and replays of the log when the client asks.
type InFlight = { at: number; frame: LogFrame; note: string }
const inFlight: InFlight[] = []
/** The last seq the server has issued by now. */
const serverHead = () => {
  let head = 0
  for (const frame of bySeq.values()) if (frame.ts <= clock) head = frame.seq
  return head
}
const notes: string[] = []

const { store, ingest, setConnection, resubscribed, position } = createProgressStore({
  flush: 'sync',
  now: () => clock,
  env,
  onAction(run, action) {
    if (action.type !== 'resync') {
      notes.push(`asked for a snapshot (${run})`)
      return
    }
    // PROTOCOL: the server replays every event with seq > after of that epoch.
    const replay = [...bySeq.values()].filter((f) => f.seq > action.after && f.seq <= serverHead())
    notes.push(`gap after seq ${action.after}: resync → server replays ${replay.length} events`)
    replay.forEach((frame, i) => {
      inFlight.push({ at: clock + 40 + i, frame, note: 'replayed' })
    })
  },
})

const { deliveries, dropped } = chaos(log, random, { window: 6, duplicate: 0.08, drop: 0.06 })
// Each frame leaves the server at its own time; network latency varies.
let previousAt = T0
for (const { frame, note } of deliveries) {
  previousAt = Math.max(previousAt, frame.ts + random.int(5, 80))
  inFlight.push({ at: previousAt, frame, note: note ?? '' })
}
// The connection drops in the middle of reading, for three seconds: everything in flight is lost.
const readStart = log.find((f) => f.type === 'phase_started' && f.phase === 'read')!.ts
const outage = { from: readStart + 2_500, to: readStart + 5_500, started: false, ended: false }

// Printing: one line whenever the bar moves a visible step, confidence changes, or something happened.
const WIDTH = 30
let lastPrinted: { displayed: number; confidence: string } | null = null
let lowest = 0
let backward = false
const percent = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`
function bar(x: number) {
  const full = Math.round(x * WIDTH)
  return `[${'█'.repeat(full)}${'░'.repeat(WIDTH - full)}]`
}
function activePhase(view: RunView) {
  const active = view.phases.filter((p) => p.status === 'active')
  if (view.status === 'queued') return `queued, ${view.queuePosition ?? '?'} ahead`
  if (active.length === 0) return view.status
  return active
    .map((p) => {
      if (p.tasks?.length) return `${p.id} ${p.done ?? 0}/${p.total ?? 0} (${p.tasks.length} tasks)`
      if (p.total) return `${p.id} ${p.done ?? 0}/${p.total}`
      return `${p.id} ~estimated`
    })
    .join(', ')
}
function print(view: RunView, force = false) {
  if (view.displayed < lowest) backward = true
  lowest = Math.max(lowest, view.displayed)
  const moved = !lastPrinted || view.displayed - lastPrinted.displayed >= 0.02
  // Confidence flickers to `resyncing` while a reordered frame is held; print level changes only.
  const changed = !lastPrinted || lastPrinted.confidence !== view.confidence
  if (!force && !moved && !changed && notes.length === 0) return
  lastPrinted = { displayed: view.displayed, confidence: view.confidence }
  const time = `${((clock - T0) / 1000).toFixed(1).padStart(5)}s`
  const confidence = `${view.confidence}/${view.confidenceReason}`.padEnd(18)
  const note = notes.length ? `  ← ${notes.splice(0).join('; ')}` : ''
  console.log(
    `${time} ${bar(view.displayed)} ${percent(view.displayed)}  true ${percent(view.progress)}  ${confidence} ${activePhase(view)}${note}`,
  )
}
store.subscribe((state) => {
  const view = state.runs[RUN_ID]
  if (view) print(view)
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

console.log(
  `Replaying ${log.length} recorded frames of run ${RUN_ID} (epoch ${EPOCH}) through createProgressStore:\n` +
    `  ${deliveries.filter((d) => d.note === 'late').length} overtaken, ` +
    `${deliveries.filter((d) => d.note === 'duplicate').length} duplicated, ` +
    `${dropped.length} lost (seq ${dropped.join(', ')}), plus a 3 s connection drop while reading.\n`,
)

// One event loop over virtual time: whichever comes first, a frame arriving or a timer of the store.
const deadline = T0 + 10 * 60_000
while (clock < deadline) {
  inFlight.sort((a, b) => a.at - b.at)
  const arrival = inFlight[0]
  const timer = nextTimer()
  if (!arrival && !timer) break
  const at = Math.min(arrival?.at ?? Number.POSITIVE_INFINITY, timer?.[1].at ?? Number.POSITIVE_INFINITY)
  if (!fast && at > clock) await sleep((at - clock) / speed)
  clock = Math.max(clock, at)
  checkOutage()
  if (timer && timer[1].at <= (arrival?.at ?? Number.POSITIVE_INFINITY)) {
    timers.delete(timer[0])
    timer[1].fn()
    continue
  }
  inFlight.shift()
  if (outage.started && !outage.ended) continue // lost with the connection
  const { frame, note } = arrival!
  if (note === 'duplicate')
    notes.push(`duplicate ${frame.type === 'heartbeat' ? 'heartbeat' : `seq ${frame.seq}`}`)
  ingest(JSON.stringify(frame))
}

function checkOutage() {
  if (!outage.started && clock >= outage.from) {
    outage.started = true
    notes.push('connection lost')
    setConnection({ status: 'reconnecting', attempts: 1 })
  }
  if (outage.started && !outage.ended && clock >= outage.to) {
    outage.ended = true
    setConnection({ status: 'open', attempts: 0 })
    // On reconnect the client subscribes from its resume point; the server replays what it missed.
    const resume = position(RUN_ID)!
    resubscribed(RUN_ID)
    const replay = [...bySeq.values()].filter((f) => f.seq > resume.applied && f.seq <= serverHead())
    notes.push(`reconnected: subscribe after seq ${resume.applied} → ${replay.length} events replayed`)
    replay.forEach((frame, i) => {
      inFlight.push({ at: clock + 60 + i, frame, note: 'replayed' })
    })
  }
}

const final = store.getState().runs[RUN_ID]!
print(final, true)
const stats = final.stats
console.log(
  `\nApplied ${stats.applied} events exactly once: ${stats.duplicates} duplicates dropped, ` +
    `${stats.reordered} held until their turn, ${stats.gaps} gaps, ${stats.resyncs} resyncs, ` +
    `${stats.rejected} rejected.`,
)
const ok = final.status === 'completed' && final.displayed === 1 && !backward
console.log(
  ok
    ? 'The bar never moved backward and ended at exactly 100%.'
    : `Something is wrong: status ${final.status}, displayed ${final.displayed}, backward ${backward}`,
)
process.exitCode = ok ? 0 : 1
