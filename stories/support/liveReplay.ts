import { chaos } from '../../scripts/replay/chaos'
import { createRandom } from '../../scripts/replay/random'
import recording from '../../scripts/replay/recorded-run.jsonl?raw'
import type { LogFrame } from '../../scripts/replay/recordRun'
import { createProgressStore, type ProgressStore } from '../../src/index'

export const REPLAY_RUN = 'research-42'

export interface LiveReplay {
  progress: ProgressStore
  stop(): void
}

/**
 * Plays `npm run replay`'s recorded run into a real store, in real time sped up `speed` times, after chaos
 * (frames overtaking each other, duplicates, losses). A "server" answers the store's resyncs from the log.
 */
export function startLiveReplay(speed: number, seed = 7): LiveReplay {
  const log = recording
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogFrame)
  const t0 = log[0]!.ts
  const start = Date.now()
  // Server time runs `speed` times faster: compress timestamps and expected durations alike.
  const at = (ts: number) => start + (ts - t0) / speed
  const retime = (frame: LogFrame): LogFrame => {
    const out = { ...frame, ts: at(frame.ts) } as LogFrame
    if (out.type === 'run_started') {
      out.plan = out.plan.map((p) =>
        p.expectedMs === undefined ? p : { ...p, expectedMs: p.expectedMs / speed },
      )
    }
    return out
  }
  const events = log.filter((f) => f.type !== 'heartbeat')
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      fn()
    }, ms)
    timers.add(timer)
  }
  const progress = createProgressStore({
    onAction(_run, action) {
      if (action.type !== 'resync') return
      const head = events.filter((f) => at(f.ts) <= Date.now()).at(-1)?.seq ?? 0
      const missing = events.filter((f) => f.seq > action.after && f.seq <= head)
      later(40, () => {
        for (const frame of missing) progress.ingest(JSON.stringify(retime(frame)))
      })
    },
  })
  progress.follow(REPLAY_RUN)
  const random = createRandom(seed)
  const { deliveries } = chaos(log, random, { window: 6, duplicate: 0.08, drop: 0.06 })
  let previous = 0
  for (const { frame } of deliveries) {
    previous = Math.max(previous, (frame.ts - t0) / speed + random.int(5, 80) / speed)
    later(previous, () => progress.ingest(JSON.stringify(retime(frame))))
  }
  return {
    progress,
    stop() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      progress.destroy()
    },
  }
}
