import { createProgressStore } from '../client/createProgressStore'
import type { RunView } from '../core/RunView'
import type { RunState } from '../protocol/types'

/**
 * A run's whole state as of one event: what the gateway's `GET /v1/runs/{run}` returns (`{ epoch, seq, state }`)
 * and what a `snapshot` frame carries. `ts` (server time of the snapshot) defaults to the newest time in it.
 */
export interface RunSnapshot {
  epoch: string
  seq: number
  state: RunState
  ts?: number
}

/** The newest server time the state mentions: the snapshot's time when it does not say (0 if nothing does). */
function newestTime(state: RunState): number {
  const times = [...(state?.phases ?? []), ...(state?.activity ?? [])].flatMap((item) =>
    [(item as { startedAt?: number }).startedAt, (item as { ts?: number }).ts, item?.endedAt].filter(
      (t): t is number => Number.isFinite(t),
    ),
  )
  return Math.max(0, ...times)
}

/** The snapshot as the wire frame for `runId` (validated like any frame wherever it is ingested). */
export const snapshotFrame = (runId: string, snapshot: RunSnapshot): string =>
  JSON.stringify({
    v: 1,
    type: 'snapshot',
    run: runId,
    epoch: snapshot.epoch,
    seq: snapshot.seq,
    ts: snapshot.ts ?? newestTime(snapshot.state),
    state: snapshot.state,
  })

const views = new WeakMap<RunSnapshot, Map<string, RunView | null>>()

/**
 * The run's view as of the snapshot, built by the client's own pipeline on a clock stopped at the snapshot's
 * time: the same on the server and in the browser, so hydration matches. A live run says it is catching up
 * (the page shows the server's state until the connection brings the rest). `null` for an invalid snapshot.
 * @example
 * const view = viewOfSnapshot('r1', await (await fetch('/v1/runs/r1')).json())
 */
export function viewOfSnapshot(runId: string, snapshot: RunSnapshot): RunView | null {
  let byRun = views.get(snapshot)
  if (!byRun) {
    byRun = new Map()
    views.set(snapshot, byRun)
  }
  const known = byRun.get(runId)
  if (known !== undefined) return known
  const frame = snapshotFrame(runId, snapshot)
  const at = JSON.parse(frame).ts as number
  let problem: unknown
  const pipeline = createProgressStore({
    flush: 'sync',
    now: () => at,
    onError: (error) => (problem ??= error),
  })
  pipeline.ingest(frame)
  const run = pipeline.store.getState().runs[runId]
  pipeline.destroy()
  // A snapshot the codec refuses changes nothing: the run shows as pending, and the page's author hears why.
  try {
    if (problem && process.env.NODE_ENV !== 'production') {
      console.error(`live-progress: initialState of run "${runId}" is not a valid snapshot:`, problem)
    }
  } catch {}
  const view =
    run?.epoch == null
      ? null
      : run.confidenceReason === 'final'
        ? run
        : { ...run, confidence: 'medium' as const, confidenceReason: 'resyncing' as const }
  byRun.set(runId, view)
  return view
}
