import type { RunEvent, RunState } from '../protocol/types'

/** What the hub saves per run: enough to keep the epoch and seq across a restart and to replay a tail. */
export interface PersistedRun {
  epoch: string
  /** The head seq when saved. */
  seq: number
  state: RunState
  /** The newest events, oldest first, ending at `seq`. May be empty. */
  log: RunEvent[]
  /**
   * Nothing can follow `seq`: the run had ended, or the hub was closing. A hub that loads an unsealed record
   * cannot know whether events after `seq` reached clients before it went down (writes are coalesced), so it
   * keeps the state but starts a new epoch: reusing those seqs for other events would make clients drop them as
   * duplicates.
   */
  sealed?: boolean
}

/**
 * Storage seam of the hub (a file, Redis, a table…). Both methods may be async; a throw is reported to
 * `onError` and never reaches producers. Without a persist the hub keeps everything in memory.
 */
export interface HubPersist {
  load(runId: string): PersistedRun | undefined | Promise<PersistedRun | undefined>
  save(runId: string, run: PersistedRun): void | Promise<void>
}

/**
 * A reference `HubPersist` in a `Map`, copied through JSON like a real store. Share one between two hubs to
 * simulate a restart.
 * @example
 * const store = createMemoryPersist()
 * const hub = createProgressHub({ persist: store })
 */
export function createMemoryPersist(): HubPersist & { readonly runs: Map<string, string> } {
  const runs = new Map<string, string>()
  return {
    runs,
    load: (runId) => {
      const text = runs.get(runId)
      return text === undefined ? undefined : (JSON.parse(text) as PersistedRun)
    },
    save: (runId, run) => {
      runs.set(runId, JSON.stringify(run))
    },
  }
}

/** Checks a loaded record enough that a corrupt store yields a fresh epoch instead of a broken run. */
export function isPersistedRun(value: unknown): value is PersistedRun {
  if (typeof value !== 'object' || value === null) return false
  const run = value as Partial<PersistedRun>
  if (typeof run.epoch !== 'string' || run.epoch.length < 1 || run.epoch.length > 64) return false
  if (!Number.isSafeInteger(run.seq) || (run.seq as number) < 0) return false
  if (typeof run.state !== 'object' || run.state === null || !Array.isArray(run.state.phases)) return false
  if (!Array.isArray(run.log)) return false
  // The tail must be contiguous and end at the head, or replay would skip events.
  return run.log.every((e, i) => e?.seq === (run.seq as number) - run.log!.length + 1 + i)
}

/**
 * Loads a run, never throwing: a store that cannot be read or holds a corrupt record yields `undefined`
 * (the run starts a new epoch and clients get a snapshot), and the problem goes to `report`.
 */
export async function loadPersistedRun(
  persist: HubPersist,
  runId: string,
  report: (error: unknown, context: string) => void,
): Promise<PersistedRun | undefined> {
  try {
    const saved = await persist.load(runId)
    if (saved === undefined || isPersistedRun(saved)) return saved
    report(new Error('corrupt record'), 'persist.load')
  } catch (error) {
    report(error, 'persist.load')
  }
  return undefined
}
