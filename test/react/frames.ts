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

type TestStore = ReturnType<typeof createTestStore>
type RunLog = ReturnType<typeof createRunLog>

/** Plan done, Search active and counting 3 → 12 of 40, one second apart (enough samples for an ETA). */
export function feedRunning(source: TestStore, log: RunLog, title = 'Report') {
  source.feed(
    log.next('run_started', { plan: PLAN, title }),
    log.next('phase_started', { phase: 'plan' }),
    log.next('phase_completed', { phase: 'plan' }),
    log.next('phase_started', { phase: 'search' }),
  )
  for (const done of [3, 6, 9, 12]) {
    source.clock.t += 1000
    source.feed(log.next('phase_progress', { phase: 'search', done, total: 40 }))
  }
}

/** Plan active with no counts: its share is a creeping estimate after `ms` of local time. */
export function feedEstimated(source: TestStore, log: RunLog, ms = 10_000) {
  source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'plan' }, 0))
  source.clock.t += ms
  source.feed(log.heartbeat(ms))
}

/** A run that failed in Search after Plan was skipped. */
export function feedFailed(source: TestStore, log: RunLog) {
  source.feed(
    log.next('run_started', { plan: PLAN, title: 'Report' }),
    log.next('phase_skipped', { phase: 'plan' }),
    log.next('phase_started', { phase: 'search' }, 10_000),
    log.next('phase_progress', { phase: 'search', done: 5, total: 40 }, 11_000),
    log.next('phase_failed', { phase: 'search', error: 'Search API down' }, 14_000),
    log.next('run_failed', { error: 'Run failed: no sources' }, 15_000),
  )
}

/** Every phase done and the run completed. */
export function feedCompleted(source: TestStore, log: RunLog) {
  source.feed(log.next('run_started', { plan: PLAN, title: 'Report' }))
  for (const phase of PLAN) {
    source.feed(
      log.next('phase_started', { phase: phase.id }, 0),
      log.next('phase_completed', { phase: phase.id }, 2500),
    )
  }
  source.feed(log.next('run_completed'))
}
