import { trimActivity } from '../../src/core/activityEntries'
import { applyEvent, createRunState, DEFAULT_LIMITS, type ReducerLimits } from '../../src/core/applyEvent'
import { createRunDraft } from '../../src/core/runDraft'
import type { ActivityEntry, RunState } from '../../src/protocol/types'
import { type Body, ev, foldLog, stamp, T0 } from '../support/logs'

/** PROTOCOL v1.1 decisions 4 and 5: chatter never evicts what is still open, nor a failure before it. */

const plan = [{ id: 'work', label: 'Work', weight: 1 }]
const thinking = (count: number, from = 0): Body[] =>
  Array.from({ length: count }, (_, i) => ({ type: 'agent_thinking', agent: 'a', text: `line ${from + i}` }))
const limits = (activityLimit: number): ReducerLimits => ({ ...DEFAULT_LIMITS, activityLimit })
const types = (state: RunState) => state.activity.map((a) => a.call ?? a.text ?? a.type)

function fold(bodies: Body[], limit = DEFAULT_LIMITS.activityLimit): RunState {
  return foldLog(stamp(bodies), limits(limit))
}

describe('critical activity entries outlive chatter', () => {
  test('200 thinking lines keep agent_started and the open call; the late completion pairs with its duration', () => {
    const state = fold([
      { type: 'run_started', plan },
      { type: 'agent_started', agent: 'a' },
      { type: 'tool_executing', call: 'c1', tool: 'search', agent: 'a' },
      ...thinking(250),
      { type: 'tool_completed', call: 'c1', tool: 'search', agent: 'a', ok: true },
    ])
    expect(state.activity).toHaveLength(200)
    expect(state.activity[0]).toMatchObject({ type: 'agent_started', agent: 'a', seq: 2 })
    expect(state.activity[1]).toMatchObject({ type: 'tool_completed', call: 'c1', seq: 3 })
    // Paired with its start (seq 3): it knows how long it took.
    expect(state.activity[1]!.endedAt! - state.activity[1]!.ts).toBe(251 * 100)
    expect(state.activity[2]!.text).toBe('line 52')
    expect(state.activity.at(-1)!.text).toBe('line 249')
  })

  test('the oldest non-critical entry goes first: a closed call and thinking lines before a failure', () => {
    const state = fold(
      [
        { type: 'run_started', plan },
        { type: 'tool_executing', call: 'ok', tool: 't' },
        { type: 'tool_completed', call: 'ok', tool: 't', ok: true },
        { type: 'tool_executing', call: 'bad', tool: 't' },
        { type: 'tool_completed', call: 'bad', tool: 't', ok: false },
        ...thinking(4),
      ],
      3,
    )
    expect(types(state)).toEqual(['bad', 'line 2', 'line 3'])
  })

  test('when only critical entries are left, the oldest failure goes, never an open entry', () => {
    const state = fold(
      [
        { type: 'run_started', plan },
        { type: 'agent_started', agent: 'a' },
        { type: 'tool_executing', call: 'f1', tool: 't' },
        { type: 'tool_completed', call: 'f1', tool: 't', ok: false },
        { type: 'tool_executing', call: 'f2', tool: 't' },
        { type: 'tool_completed', call: 'f2', tool: 't', ok: false },
        { type: 'tool_executing', call: 'f3', tool: 't' },
        { type: 'tool_completed', call: 'f3', tool: 't', ok: false },
      ],
      3,
    )
    expect(types(state)).toEqual(['agent_started', 'f2', 'f3'])
  })

  test('a thinking line pushed into a list of open entries only is the one that goes', () => {
    const state = fold(
      [
        { type: 'run_started', plan },
        { type: 'agent_started', agent: 'a' },
        { type: 'tool_executing', call: 'c1', tool: 't' },
        ...thinking(3),
      ],
      2,
    )
    expect(types(state)).toEqual(['agent_started', 'c1'])
  })

  test('too_many_open: a new agent or call while the list holds as many open ones as it keeps', () => {
    const state = fold(
      [
        { type: 'run_started', plan },
        { type: 'agent_started', agent: 'a' },
        { type: 'tool_executing', call: 'c1', tool: 't' },
      ],
      2,
    )
    const refuse = (body: Body) => applyEvent(state, stamp([body])[0]!, limits(2))
    expect(refuse({ type: 'agent_started', agent: 'b' })).toEqual({ state, rejected: 'too_many_open' })
    expect(refuse({ type: 'tool_executing', call: 'c2', tool: 't' })).toEqual({
      state,
      rejected: 'too_many_open',
    })
    // Once one ends, there is room again.
    const ended = applyEvent(state, ev('tool_completed', 4, { call: 'c1', tool: 't' }), limits(2)).state
    expect(applyEvent(ended, ev('agent_started', 5, { agent: 'b' }), limits(2)).rejected).toBeUndefined()
  })

  test('a batch of chatter behind open entries keeps the list at its limit in one draft', () => {
    const draft = createRunDraft(createRunState(), limits(50))
    const head = stamp([
      { type: 'run_started', plan },
      ...Array.from({ length: 20 }, (_, i): Body => ({ type: 'agent_started', agent: `a${i}` })),
    ])
    for (const event of head) draft.apply(event)
    for (let i = 0; i < 1000; i++) draft.apply(ev('agent_thinking', 22 + i, { agent: 'a0', text: `${i}` }))
    const state = draft.publish()
    expect(state.activity).toHaveLength(50)
    expect(state.activity.slice(0, 20).every((a) => a.type === 'agent_started')).toBe(true)
    expect(state.activity[20]!.text).toBe('970')
  })
})

describe('trimActivity (snapshots larger than a client keeps)', () => {
  const entry = (seq: number, extra: Partial<ActivityEntry>): ActivityEntry => ({
    seq,
    ts: T0 + seq,
    type: 'agent_thinking',
    ...extra,
  })
  const list = [
    entry(1, { type: 'agent_started', agent: 'a' }),
    entry(2, { text: 'x' }),
    entry(3, { type: 'tool_completed', call: 'c', tool: 't', ok: false, endedAt: T0 + 4 }),
    entry(4, { text: 'y' }),
    entry(5, { type: 'tool_executing', call: 'd', tool: 't' }),
    entry(6, { text: 'z' }),
  ]

  test('drops the oldest non-critical entries first, then the oldest failures, never the open ones', () => {
    expect(trimActivity(list, 4).map((a) => a.seq)).toEqual([1, 3, 5, 6])
    expect(trimActivity(list, 3).map((a) => a.seq)).toEqual([1, 3, 5])
    expect(trimActivity(list, 2).map((a) => a.seq)).toEqual([1, 5])
    expect(trimActivity(list, 1).map((a) => a.seq)).toEqual([1, 5])
  })

  test('returns the very list when it fits', () => {
    expect(trimActivity(list, 6)).toBe(list)
  })

  test('a client adopting a larger snapshot cuts it the same way', () => {
    const state: RunState = { status: 'running', phases: [], activity: list }
    const adopted = applyEvent(
      createRunState(),
      { v: 1, type: 'snapshot', run: 'run-1', epoch: 'e1', seq: 6, ts: T0, state },
      limits(3),
    ).state
    expect(adopted.activity.map((a) => a.seq)).toEqual([1, 3, 5])
  })
})
