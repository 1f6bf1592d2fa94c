import { createContext, type ReactNode, useContext, useMemo } from 'react'
import type { RunView } from '../core/RunView'
import { type RunSnapshot, viewOfSnapshot } from './runSnapshot'

const InitialRunContext = /* @__PURE__ */ createContext<{ runId: string; view: RunView | null } | null>(null)

export interface InitialRunStateProps {
  runId: string
  /** The run as the server knew it when the page was made (`GET /v1/runs/{run}`: `{ epoch, seq, state }`). */
  snapshot: RunSnapshot | undefined
  children?: ReactNode
}

/**
 * Gives the parts below the server's snapshot of a run, shown (server rendering and hydration included) until the
 * store has the run's own state, instead of "Waiting for updates…". `RunProgress initialState` uses it.
 * @example
 * <InitialRunState runId="r1" snapshot={snapshot}><ProgressBar runId="r1" /><PhaseSteps runId="r1" /></InitialRunState>
 */
export function InitialRunState({ runId, snapshot, children }: InitialRunStateProps) {
  const outer = useContext(InitialRunContext)
  const value = useMemo(
    () => (snapshot ? { runId, view: viewOfSnapshot(runId, snapshot) } : outer),
    [runId, snapshot, outer],
  )
  return <InitialRunContext.Provider value={value}>{children}</InitialRunContext.Provider>
}

/** The snapshot's view of `runId` from the nearest InitialRunState (or `own`, which wins), if any. */
export function useInitialRun(runId: string, own?: RunSnapshot): RunView | null {
  const context = useContext(InitialRunContext)
  if (own) return viewOfSnapshot(runId, own)
  return context?.runId === runId ? context.view : null
}
