/** Publish throughput, shared by the sections that compare a way of publishing with in-process publishing. */
import { type Summary, sideBySide } from './measure'

export const PLAN = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'write', label: 'Write', weight: 1 },
]

/** Publishes a batch onto a run; rejects when it was refused. */
export type Publish = (run: string, events: object[]) => Promise<void>

/** The in-process publisher of a hub (`hub.run(id).publishPrefix`), as a `Publish`. */
export const hubPublisher =
  (hub: {
    run(id: string): { publishPrefix(events: never): Promise<{ refused?: { error: unknown } }> }
  }): Publish =>
  async (run, events) => {
    const result = await hub.run(run).publishPrefix(events as never)
    if (result.refused) throw result.refused.error
  }

/**
 * `workers` concurrent producers; each owns a slice of the runs and a task id, and publishes one event at a time
 * (so each run's counts only grow). Returns events/s.
 */
export async function pump(
  publish: Publish,
  runs: string[],
  eventsPerRun: number,
  workers: number,
): Promise<number> {
  await Promise.all(
    runs.map((run) =>
      publish(run, [
        { type: 'run_started', plan: PLAN },
        { type: 'phase_started', phase: 'search' },
      ]),
    ),
  )
  const started = performance.now()
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const mine = runs.length === 1 ? runs : runs.filter((_, i) => i % workers === w)
      for (let done = 1; done <= eventsPerRun; done++) {
        for (const run of mine) {
          await publish(run, [
            { type: 'task_progress', phase: 'search', task: `w${w}`, done, total: eventsPerRun },
          ])
        }
      }
    }),
  )
  const perRun = runs.length === 1 ? workers : 1
  return (runs.length * eventsPerRun * perRun) / ((performance.now() - started) / 1000)
}

/**
 * Events/s of each publisher, side by side: one hot run with `workers` producers, and `runs` runs with 32.
 * @example
 * const { hot, many } = await publishThroughput({ http, inProcess }, { events: 10_000, runs: 1_000, reps: 3 })
 */
export async function publishThroughput<K extends string>(
  publishers: Record<K, Publish>,
  options: { events: number; runs: number; reps: number; workers?: number },
): Promise<{ hot: Record<K, Summary>; many: Record<K, Summary>; workers: number }> {
  const workers = options.workers ?? 16
  const names = Object.keys(publishers) as K[]
  let rep = 0
  const hotPerWorker = Math.ceil(options.events / workers)
  const perRun = Math.max(1, Math.round(options.events / options.runs))
  const runIds = (tag: string) => Array.from({ length: options.runs }, (_, i) => `${tag}-${rep}-${i}`)
  const variants = (make: (name: K) => () => Promise<number>) =>
    Object.fromEntries(names.map((name) => [name, make(name)])) as Record<K, () => Promise<number>>
  const hot = await sideBySide(
    options.reps,
    variants((name) => () => pump(publishers[name], [`hot-${name}-${rep++}`], hotPerWorker, workers)),
  )
  const many = await sideBySide(
    options.reps,
    variants((name) => () => pump(publishers[name], runIds(`many-${name}-${rep++}`), perRun, 32)),
  )
  return { hot, many, workers }
}
