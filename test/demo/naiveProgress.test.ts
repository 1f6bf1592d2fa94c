import { createNaiveProgress } from '../../demo/naiveProgress'

const frame = (seq: number, body: Record<string, unknown>) =>
  JSON.stringify({ v: 1, run: 'r', epoch: 'e', seq, ts: 0, ...body })
const PLAN = [
  { id: 'a', label: 'A', weight: 1 },
  { id: 'b', label: 'B', weight: 1 },
]

describe('createNaiveProgress (what the kit replaces)', () => {
  it('lets the last message win, so a late frame moves the bar backward', () => {
    const naive = createNaiveProgress()
    naive.feed(frame(1, { type: 'run_started', plan: PLAN }))
    naive.feed(frame(2, { type: 'phase_started', phase: 'a' }))
    naive.feed(frame(4, { type: 'phase_completed', phase: 'a' }))
    expect(naive.get('r')?.value).toBe(0.5)
    naive.feed(frame(3, { type: 'phase_progress', phase: 'a', done: 1, total: 2 })) // arrived late
    expect(naive.get('r')).toMatchObject({ value: 0.25, backward: 1, messages: 4 })
  })

  it('takes the counts of one task for the whole phase, and jumps with whatever comes next', () => {
    const naive = createNaiveProgress()
    naive.feed(frame(1, { type: 'run_started', plan: PLAN }))
    naive.feed(frame(2, { type: 'task_progress', phase: 'a', task: 't1', done: 2, total: 2 }))
    naive.feed(frame(3, { type: 'task_progress', phase: 'a', task: 't2', done: 1, total: 4 }))
    expect(naive.get('r')?.value).toBe(0.125)
    naive.feed(frame(6, { type: 'phase_completed', phase: 'b' }))
    expect(naive.get('r')?.value).toBe(1)
  })

  it('ignores what it cannot read and tells subscribers about what it can', () => {
    const naive = createNaiveProgress()
    let calls = 0
    const stop = naive.subscribe(() => calls++)
    naive.feed('not json')
    naive.feed(new Uint8Array([1]))
    naive.feed('null')
    naive.feed(JSON.stringify({ type: 'heartbeat', run: 'r', head: 3 }))
    expect(naive.get('r')).toMatchObject({ value: 0, messages: 1 })
    stop()
    naive.feed(frame(1, { type: 'run_completed' }))
    expect(calls).toBe(1)
  })
})
