import type { ChaosSettings } from './chaosPeer'
import type { RunSummary } from './createRunBoard'

/** GET /api/state. */
export interface DemoState {
  chaos: ChaosSettings & { restartEveryMs: number }
  runs: RunSummary[]
  restarts: number
  connections: number
  speed: number
}

async function call<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`)
  return (await response.json()) as T
}

/** The demo server's JSON API. */
export const api = {
  state: () => call<DemoState>('/api/state'),
  startRuns: (count: number) => call<{ ids: string[] }>('/api/runs', { count }),
  setChaos: (chaos: Partial<DemoState['chaos']>) => call<DemoState>('/api/chaos', chaos),
  kill: () => call<{ killed: number }>('/api/kill', {}),
  /** Every open connection goes silent but stays open: the page's client must notice and reconnect. */
  stall: () => call<{ stalled: number }>('/api/stall', {}),
  restart: () => call<{ restarts: number }>('/api/restart', {}),
}
