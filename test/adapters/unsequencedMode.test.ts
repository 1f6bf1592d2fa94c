import { type AdaptedEvent, defineAdapter, events } from '../../src/client/adapters/index'
import { createProgressStore } from '../../src/client/index'
import { feed } from './feed'

const plan = [
  { id: 'a', label: 'A', weight: 1 },
  { id: 'b', label: 'B', weight: 1 },
]
type Message = { events: AdaptedEvent[] }
const passThrough = defineAdapter<Message>((m) => m.events)
const msg = (...list: AdaptedEvent[]): Message => ({ events: list })

describe('unsequenced mode', () => {
  it('numbers events by arrival in the local epoch and applies each exactly once', () => {
    const { last } = feed(
      passThrough,
      [
        msg(events.runStarted('r', plan)),
        msg(events.phaseProgress('r', 'a', 1, 4), events.phaseProgress('r', 'a', 2, 4)),
      ],
      'r',
    )
    expect(last).toMatchObject({ epoch: 'local', seq: 3, status: 'running' })
    expect(last?.phases[0]).toMatchObject({ done: 2, total: 4 })
  })

  it('ignores seq and epoch the adapter claims: arrival order rules', () => {
    const { last } = feed(
      passThrough,
      [
        msg({ ...events.runStarted('r', plan), seq: 9, epoch: 'theirs' }),
        msg({ ...events.phaseStarted('r', 'a'), seq: 2, epoch: 'theirs' }),
      ],
      'r',
    )
    expect(last).toMatchObject({ epoch: 'local', seq: 2 })
    expect(last?.phases[0]?.status).toBe('active')
  })

  it('rejects counts that went down, and a finished phase coming back, and shows them in stats', () => {
    const { last, views } = feed(
      passThrough,
      [
        msg(events.runStarted('r', plan)),
        msg(events.phaseProgress('r', 'a', 3, 4)),
        msg(events.phaseProgress('r', 'a', 1, 4)),
        msg(events.phaseCompleted('r', 'a')),
        msg(events.phaseStarted('r', 'a')),
      ],
      'r',
    )
    expect(last?.stats.rejections).toEqual({ done_decreased: 1, phase_finished: 1 })
    expect(views.map((v) => v.displayed)).toEqual([...views.map((v) => v.displayed)].sort((x, y) => x - y))
  })

  it('drops identical messages within the window as duplicates, and accepts them again after it', () => {
    const again = msg(events.agentThinking('r', 'a', 'still working'))
    const inside = feed(passThrough, [msg(events.runStarted('r', plan)), again, again], 'r')
    expect(inside.last?.stats.duplicates).toBe(1)
    expect(inside.last?.activity).toHaveLength(1)
    // One message every 200 ms of the fake clock: a 100 ms window has forgotten it by the next one.
    const outside = feed(passThrough, [msg(events.runStarted('r', plan)), again, again], 'r', {
      duplicateWindowMs: 100,
    })
    expect(outside.last?.stats.duplicates).toBe(0)
    expect(outside.last?.activity).toHaveLength(2)
  })

  it('validates adapted events with the wire schemas: bad ones are counted with a reason, never thrown', () => {
    const bad = [
      { type: 'phase_progress', run: 'r', phase: 'a', done: 5, total: 2 },
      { type: 'teleport', run: 'r' },
      { type: 'run_started', run: 'r', plan: [] },
      'not an object',
    ] as unknown as AdaptedEvent[]
    const { stats, last, errors } = feed(
      passThrough,
      [msg(events.runStarted('r', plan)), { events: bad }],
      'r',
    )
    expect(stats.byCode).toMatchObject({ invalid: 3, unknown_type: 1 })
    expect(errors.every((e) => e.kind === 'adapter')).toBe(true)
    expect(last?.seq).toBe(1)
  })

  it('counts an adapter that throws, and goes on with the next message', () => {
    const adapter = defineAdapter<{ boom?: boolean }>((m) => {
      if (m.boom) throw new Error('cannot map')
      return events.runStarted('r', plan)
    })
    const { stats, last } = feed(adapter, [{ boom: true }, {}], 'r')
    expect(stats.byCode.adapter_threw).toBe(1)
    expect(last?.status).toBe('running')
  })

  it('never says high confidence while running; high and final once completed', () => {
    const { views, last } = feed(
      passThrough,
      [
        msg(events.runStarted('r', plan)),
        msg(events.phaseProgress('r', 'a', 4, 4), events.phaseCompleted('r', 'a')),
        msg(events.phaseProgress('r', 'b', 4, 4), events.phaseCompleted('r', 'b')),
        msg(events.runCompleted('r')),
      ],
      'r',
    )
    expect(views.filter((v) => v.status === 'running').every((v) => v.confidenceReason === 'unordered')).toBe(
      true,
    )
    expect(last).toMatchObject({ confidence: 'high', confidenceReason: 'final', displayed: 1 })
  })

  it('with unordered: false, requires seq and epoch and lets the sequencer order them', () => {
    const { stats, last } = feed(
      passThrough,
      [
        msg(events.runStarted('r', plan)),
        msg({ ...events.phaseStarted('r', 'a'), seq: 2, epoch: 'e' }),
        msg({ ...events.runStarted('r', plan), seq: 1, epoch: 'e' }),
      ],
      'r',
      { unordered: false },
    )
    expect(stats.byCode.missing_seq).toBe(1)
    // A trusted order: the bar is only as uncertain as its estimate, not 'unordered'.
    expect(last).toMatchObject({ epoch: 'e', seq: 2, confidenceReason: 'estimated' })
    expect(last?.stats.reordered).toBe(1)
  })

  it('applies the plan-order rule only to unordered sources', () => {
    const store = createProgressStore({ flush: 'sync' })
    const frame = (seq: number, body: object) =>
      JSON.stringify({ v: 1, run: 'r', epoch: 'e', seq, ts: 1, ...body })
    store.ingest(frame(1, { type: 'run_started', plan }))
    store.ingest(frame(2, { type: 'phase_completed', phase: 'b' }))
    store.ingest(frame(3, { type: 'phase_started', phase: 'a' }))
    expect(store.store.getState().runs.r?.phases[0]?.status).toBe('active')
    store.destroy()
    const { last } = feed(
      passThrough,
      [
        msg(events.runStarted('r', plan)),
        msg(events.phaseCompleted('r', 'b')),
        msg(events.phaseStarted('r', 'a')),
      ],
      'r',
    )
    expect(last?.stats.rejections).toEqual({ phase_out_of_order: 1 })
  })
})
