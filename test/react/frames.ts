import { createProgressStore, type ProgressStoreOptions } from '../../src/client/createProgressStore'

/** A run's frames as JSON text, numbered in order: what a server would send. */
export function createRunLog(run = 'r1', epoch = 'e1') {
  let seq = 0
  return {
    next(type: string, body: Record<string, unknown> = {}, ts = 1_000 + seq * 1000) {
      seq++
      return JSON.stringify({ v: 1, run, epoch, seq, ts, type, ...body })
    },
    heartbeat(ts = 0) {
      return JSON.stringify({ v: 1, type: 'heartbeat', run, epoch, head: seq, ts })
    },
  }
}

export const PLAN = [
  { id: 'plan', label: 'Plan', weight: 1 },
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'write', label: 'Write', weight: 1 },
]

/** A store fed synchronously, on a hand-driven local clock. */
export function createTestStore(options: ProgressStoreOptions = {}) {
  const clock = { t: 1_000_000 }
  const pipeline = createProgressStore({ flush: 'sync', now: () => clock.t, ...options })
  const feed = (...frames: string[]) => {
    for (const frame of frames) pipeline.ingest(frame)
  }
  return { ...pipeline, clock, feed }
}
