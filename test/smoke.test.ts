import { createProgressStore } from '../src/index'

test('applies an in-order log', () => {
  const { store, ingest } = createProgressStore({ flush: 'sync' })
  const base = { v: 1, run: 'r', epoch: 'e1', ts: 0 }
  ingest(JSON.stringify({ ...base, seq: 1, type: 'run_started', plan: [{ id: 'a', label: 'A', weight: 1 }] }))
  ingest(JSON.stringify({ ...base, seq: 2, type: 'phase_progress', phase: 'a', done: 1, total: 2 }))
  expect(store.getState().runs.r?.progress).toBe(0.5)
})
