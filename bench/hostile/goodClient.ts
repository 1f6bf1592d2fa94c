/**
 * The well-behaved client, alone in its process: one `ws` connection following `good`, checking that every
 * event arrives once and in order after the snapshot, and measuring each event's latency from the time it was
 * due (its label). If its connection ever closes it resumes from its last seq, and counts that: an attack that
 * costs the good client its connection has failed the suite.
 */
import { WebSocket } from 'ws'
import { serveIpc } from './ipc'

export interface GoodReport {
  /** The last seq applied. */
  lastSeq: number
  /** Events received since the previous report. */
  received: number
  /** Seqs missing (a hole never filled) and received twice, since the start. */
  gaps: number
  duplicates: number
  /** Connections lost since the start. */
  reconnects: number
  /** Latency from due time to arrival of the events since the previous report, ms. */
  p99Ms: number
  maxMs: number
}

const url = process.argv[2] ?? ''
let socket: WebSocket
let lastSeq = 0
let received = 0
let gaps = 0
let duplicates = 0
let reconnects = 0
let latencies: number[] = []
let stopping = false

function onMessage(data: WebSocket.RawData) {
  const now = Date.now()
  const frame = JSON.parse(String(data)) as { type: string; seq?: number; label?: string }
  if (frame.type === 'snapshot') {
    lastSeq = Math.max(lastSeq, frame.seq!)
    return
  }
  if (frame.type !== 'phase_progress' || frame.seq === undefined) return
  if (frame.seq <= lastSeq) duplicates++
  else {
    gaps += frame.seq - lastSeq - 1
    lastSeq = frame.seq
    received++
    latencies.push(now - Number(frame.label))
  }
}

function connect(): Promise<void> {
  return new Promise((resolve, reject) => {
    socket = new WebSocket(url)
    socket.on('message', onMessage)
    socket.once('open', () => {
      const resume = lastSeq === 0 ? {} : { epoch: epoch, after: lastSeq }
      socket.send(JSON.stringify({ v: 1, type: 'subscribe', run: 'good', ...resume }))
      resolve()
    })
    socket.once('error', reject)
    socket.once('close', () => {
      if (stopping) return
      reconnects++
      setTimeout(() => void connect().catch(() => {}), 100)
    })
  })
}

let epoch: string | undefined
const first = new Promise<void>((resolve) => {
  const watch = (data: WebSocket.RawData) => {
    const frame = JSON.parse(String(data)) as { epoch?: string }
    if (frame.epoch) {
      epoch = frame.epoch
      socket.off('message', watch)
      resolve()
    }
  }
  void connect().then(() => socket.on('message', watch))
})
await first

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function current(): GoodReport {
  return {
    lastSeq,
    received,
    gaps,
    duplicates,
    reconnects,
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.reduce((max, value) => Math.max(max, value), 0),
  }
}

serveIpc(
  {
    /** Where the client is, without starting a new window. */
    peek: current,
    /** The window since the previous report; starts a new one. */
    report(): GoodReport {
      const report = current()
      received = 0
      latencies = []
      return report
    },
    stop() {
      stopping = true
      socket.close()
      return null
    },
  },
  { lastSeq },
)
