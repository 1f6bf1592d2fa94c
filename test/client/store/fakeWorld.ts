import type { SchedulerEnv } from '../../../src/client/flushScheduler'

/**
 * A deterministic clock with timers and animation frames, injected as `now` and `env`. Time moves only
 * through `advance`; frames run only through `frame`.
 */
export function createFakeWorld(start = 1_700_000_000_000) {
  let time = start
  let nextId = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  const frames = new Map<number, () => void>()
  const env: SchedulerEnv = {
    setTimeout(fn, ms) {
      const id = nextId++
      timers.set(id, { at: time + Math.max(0, ms), fn })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    requestAnimationFrame(fn) {
      const id = nextId++
      frames.set(id, fn)
      return id
    },
    cancelAnimationFrame(handle) {
      frames.delete(handle as number)
    },
  }
  return {
    env,
    now: () => time,
    /** Moves the clock, firing due timers in order (a timer set by a timer fires too if due). */
    advance(ms: number) {
      const end = time + ms
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | null = null
        for (const entry of timers) if (entry[1].at <= end && (!due || entry[1].at < due[1].at)) due = entry
        if (!due) break
        timers.delete(due[0])
        time = Math.max(time, due[1].at)
        due[1].fn()
      }
      time = end
    },
    /** Runs the animation frames requested so far. */
    frame() {
      const due = [...frames.values()]
      frames.clear()
      for (const fn of due) fn()
    },
    timerCount: () => timers.size,
    frameCount: () => frames.size,
  }
}

export type FakeWorld = ReturnType<typeof createFakeWorld>
