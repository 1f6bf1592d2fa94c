import { useCallback, useEffect, useState } from 'react'
import type { ProgressClient } from '../src/client/createProgressClient'
import { ProgressProvider } from '../src/react/ProgressProvider'
import { RunProgress } from '../src/react/RunProgress'
import { useConnection } from '../src/react/useConnection'
import { api, type DemoState } from './api'
import { ChaosControls } from './ChaosControls'
import { NaiveBar } from './NaiveBar'
import type { NaiveProgress } from './naiveProgress'

const POLL_MS = 1000

function ConnectionLine({ client, state }: { client: ProgressClient; state: DemoState | null }) {
  const { status, attempts } = useConnection()
  const stats = client.stats()
  return (
    <p className="demo-status" data-status={status}>
      Socket <strong>{status}</strong>
      {attempts > 0 && ` (attempt ${attempts})`} · {stats.opens} {stats.opens === 1 ? 'open' : 'opens'} ·{' '}
      {stats.resumes} resumes · {stats.resyncs} resyncs · {stats.silences}{' '}
      {stats.silences === 1 ? 'silence' : 'silences'} · hub restarts {state?.restarts ?? 0}
    </p>
  )
}

/** The demo page: start runs, turn the chaos up, and compare the kit's bar with a naive one. */
export function App({ client, naive }: { client: ProgressClient; naive: NaiveProgress }) {
  const [state, setState] = useState<DemoState | null>(null)
  const [error, setError] = useState<string | null>(null)
  const refresh = useCallback(() => {
    api.state().then(
      (next) => {
        setState(next)
        setError(null)
      },
      () => setError('The demo server does not answer; retrying…'),
    )
  }, [])
  useEffect(() => {
    refresh()
    const timer = setInterval(refresh, POLL_MS)
    return () => clearInterval(timer)
  }, [refresh])
  const start = (count: number) =>
    api.startRuns(count).then(refresh, () => setError('Could not start a run.'))
  // Newest first: a run just started is seen without scrolling.
  const runs = [...(state?.runs ?? [])].reverse()

  return (
    <ProgressProvider client={client}>
      <main className="demo">
        <header className="demo-header">
          <h1>live-progress</h1>
          <p>
            Simulated research runs on a real WebSocket hub, newest first. Each run shows the kit (one ordered
            log per run, applied exactly once) and, beside it or below it on a narrow screen, a naive bar that
            reads the very same frames, last message wins.
          </p>
        </header>
        <section className="demo-controls" aria-label="Controls">
          <div className="demo-actions">
            <button type="button" className="demo-primary" onClick={() => start(1)}>
              Start a run
            </button>
            <button type="button" onClick={() => start(4)}>
              Start 4 (some wait in the queue)
            </button>
          </div>
          <ChaosControls state={state} onChange={refresh} />
          <ConnectionLine client={client} state={state} />
          {error && (
            <p className="demo-error" role="alert">
              {error}
            </p>
          )}
        </section>
        <ul className="demo-runs" aria-label="Runs">
          {runs.length === 0 && <li className="demo-empty">No runs yet: start one.</li>}
          {runs.map((run) => (
            <li key={run.id} className="demo-run" data-run={run.id}>
              <RunProgress runId={run.id} activityMax={4} />
              <NaiveBar naive={naive} runId={run.id} />
            </li>
          ))}
        </ul>
      </main>
    </ProgressProvider>
  )
}
