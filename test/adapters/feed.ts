import type { Adapter } from '../../src/client/adapters/index'
import { createProgressStore, type ProgressError, type ProgressStoreOptions } from '../../src/client/index'
import type { RunView } from '../../src/core/RunView'

/** A deterministic shuffle (seeded): the same seed always gives the same order. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Every message again right after itself, every third one (what a retrying backend does). */
export const withDuplicates = <T>(items: readonly T[]): T[] =>
  items.flatMap((item, i) => (i % 3 === 0 ? [item, item] : [item]))

/**
 * Feeds messages (as JSON text, as a socket delivers them) through a bare store with an adapter, one per
 * 200 ms of a fake clock, and records every view of `run` the store publishes.
 */
export function feed(
  adapter: Adapter,
  messages: readonly unknown[],
  run: string,
  options: ProgressStoreOptions = {},
) {
  let clock = 1_763_640_000_000
  const errors: ProgressError[] = []
  const progress = createProgressStore({
    adapter,
    flush: 'sync',
    now: () => clock,
    onError: (error) => errors.push(error),
    ...options,
  })
  const views: RunView[] = []
  progress.store.subscribe((state) => {
    const view = state.runs[run]
    if (view && views.at(-1) !== view) views.push(view)
  })
  for (const message of messages) {
    clock += 200
    progress.ingest(typeof message === 'string' ? message : JSON.stringify(message))
  }
  progress.flush()
  const last = progress.store.getState().runs[run]
  progress.destroy()
  return { views, last, errors, stats: progress.store.getState().stats }
}

/** Fails unless the displayed value never went down from one published view to the next. */
export function expectMonotonic(views: readonly RunView[]) {
  for (let i = 1; i < views.length; i++)
    expect(views[i]!.displayed).toBeGreaterThanOrEqual(views[i - 1]!.displayed)
}

/** Fails if any view claimed `high` confidence while the run was not finished. */
export function expectNeverHighWhileRunning(views: readonly RunView[]) {
  for (const view of views) {
    if (view.status === 'completed' || view.status === 'failed' || view.status === 'cancelled') continue
    expect(view.confidence).not.toBe('high')
  }
}
