import { createProgressHub } from '../../src/server/createProgressHub'

/** Heap bytes each thing costs a hub, measured in this process (run it without a TypeScript loader, with --expose-gc). */
export interface HubMemory {
  /** A connection over an in-memory peer (the hub's own state; a real socket adds `ws` and Node's). */
  perConnection: number
  /** An id subscribed to before any producer started it (held), on top of its connection. */
  perHeldId: number
  /** A run with its first event (`run_started`, three phases), no subscriber. */
  perRun: number
  /** One more logged event (`phase_progress` with a short label) of a run. */
  perEvent: number
}

const plan = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'read', label: 'Read', weight: 2 },
  { id: 'write', label: 'Write', weight: 1 },
]
const peer = () => ({ send() {}, bufferedAmount: 0, close() {} })

function heap(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('measureHubMemory needs node --expose-gc')
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/**
 * Builds `count` of each thing in a fresh hub and divides the heap it grew by (the hub references all of it,
 * so nothing is collected between the two readings).
 * @example
 * const { perHeldId } = await measureHubMemory({ count: 10_000 })
 */
export async function measureHubMemory({ count }: { count: number }): Promise<HubMemory> {
  const hub = createProgressHub({ heartbeatMs: 3_600_000, maxHeldRuns: count, subscribeBurst: count })
  const perConnectionHeld = 64
  const connections = Math.ceil(count / perConnectionHeld)

  let before = heap()
  const open = Array.from({ length: connections }, () => hub.connect(peer()))
  const perConnection = (heap() - before) / connections

  before = heap()
  for (let i = 0; i < count; i++) {
    open[Math.floor(i / perConnectionHeld)]!.receive(
      JSON.stringify({ v: 1, type: 'subscribe', run: `held-${i}` }),
    )
  }
  const perHeldId = (heap() - before) / count
  if (hub.metrics().held !== count) throw new Error(`held ${hub.metrics().held} of ${count}`)

  before = heap()
  const runs = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const run = hub.run(`run-${i}`)
      await run.start(plan)
      return run
    }),
  )
  const perRun = (heap() - before) / count

  const run = runs[0]!
  await run.phaseStarted('search')
  before = heap()
  for (let i = 1; i <= count; i++) await run.phaseProgress('search', i, count, `page ${i}`)
  const perEvent = (heap() - before) / count

  await hub.close()
  return { perConnection, perHeldId, perRun, perEvent }
}
