import type { RunSnapshot } from '../../src/react/index'
import { createProgressHub } from '../../src/server/index'
import { PLAN } from './frames'

/**
 * What a page's server fetches before it renders (`GET /v1/runs/{run}`: `{ epoch, seq, state }`), taken from a
 * real hub: "Report" searching, 12 of 40, after its plan phase.
 */
export async function serverSnapshot(runId = 'r1'): Promise<RunSnapshot> {
  const hub = createProgressHub()
  const run = hub.run(runId)
  await run.start(PLAN, { title: 'Report' })
  await run.transition('plan', 'search')
  await run.phaseProgress('search', 12, 40)
  const snapshot = { epoch: run.epoch, seq: run.head, state: run.state() }
  await hub.close()
  return snapshot
}
