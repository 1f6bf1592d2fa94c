import { type Adapter, createProgressStore, type SchedulerEnv } from '../../src/index'
import type { ProgressSource } from '../../src/react/index'

// No timers: the story shows exactly what the messages say.
const still: SchedulerEnv = { setTimeout: () => 0, clearTimeout: () => {} }

/** Feeds recorded foreign messages, as JSON text one second apart, through a store with `adapter`. */
export function adapterScenario(adapter: Adapter, messages: readonly unknown[]): ProgressSource {
  const base = Date.now() - messages.length * 1000
  let clock = base
  const progress = createProgressStore({ adapter, flush: 'sync', now: () => clock, env: still })
  for (const message of messages) {
    clock += 1000
    progress.ingest(JSON.stringify(message))
  }
  return { store: progress.store }
}

/** A seeded shuffle: arrival order as a broken backend might produce it, the same on every run. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0
    const j = a % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
