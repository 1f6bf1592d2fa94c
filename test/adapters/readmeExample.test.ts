import { defineAdapter, events } from '../../src/client/adapters/index'
import { createProgressStore } from '../../src/index'

// The adapter of README's "Adopting with an existing backend", verbatim: it must keep working.
describe("README's adapter example", () => {
  it('starts the run once, applies counts, completes at 1 without a single rejection', () => {
    type JobMessage = {
      job: string
      step: 'fetch' | 'write'
      done: number
      total: number
      finished?: boolean
    }
    const plan = [
      { id: 'fetch', label: 'Fetching', weight: 3 },
      { id: 'write', label: 'Writing', weight: 1 },
    ]
    const started = new Set<string>()
    const adapter = defineAdapter<JobMessage>((m) => {
      const out = started.has(m.job) ? [] : [events.runStarted(m.job, plan)]
      started.add(m.job)
      out.push(events.phaseProgress(m.job, m.step, m.done, m.total))
      if (m.finished) out.push(events.runCompleted(m.job))
      return out
    })
    const progress = createProgressStore({ adapter, flush: 'sync' })
    progress.ingest(JSON.stringify({ job: 'j', step: 'fetch', done: 2, total: 4 }))
    expect(progress.store.getState().runs.j?.progress).toBeCloseTo((3 * 0.5) / 4, 6)
    progress.ingest(JSON.stringify({ job: 'j', step: 'write', done: 1, total: 1, finished: true }))
    const run = progress.store.getState().runs.j!
    expect([run.status, run.displayed, run.stats.rejected]).toEqual(['completed', 1, 0])
    progress.destroy()
  })
})
