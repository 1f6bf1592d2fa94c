import { createAgUiAdapter, events } from '../../src/client/adapters/index'
import { expectMonotonic, expectNeverHighWhileRunning, feed, shuffled, withDuplicates } from './feed'
import recorded from './fixtures/ag_ui.json'

const RUN = recorded.run
const stream = recorded.events as Record<string, unknown>[]
// The recorded agent reports its searches in STATE_SNAPSHOT: the app maps them to the research step's counts.
const snapshot = (state: unknown, run: string) => {
  const s = state as { searches_done?: number; searches_total?: number }
  if (typeof s?.searches_done !== 'number' || typeof s.searches_total !== 'number') return null
  return [events.phaseProgress(run, 'research', s.searches_done, s.searches_total)]
}

describe('AG-UI adapter, fed the recorded stream', () => {
  it('in order: steps become phases, tool calls activity, RUN_FINISHED completes at exactly 1', () => {
    const { views, last, stats } = feed(createAgUiAdapter({ plan: recorded.plan, snapshot }), stream, RUN)
    expectMonotonic(views)
    expectNeverHighWhileRunning(views)
    expect(last?.status).toBe('completed')
    expect(last?.displayed).toBe(1)
    expect(last?.phases.map((p) => [p.id, p.status])).toEqual([
      ['plan', 'done'],
      ['research', 'done'],
      ['write', 'done'],
    ])
    expect(last?.activity.map((a) => [a.call, a.tool, a.type])).toEqual([
      ['call_1', 'web_search', 'tool_completed'],
      ['call_2', 'web_search', 'tool_completed'],
      ['call_3', 'web_search', 'tool_completed'],
      ['call_4', 'fetch_page', 'tool_completed'],
    ])
    expect(last?.stats.rejected).toBe(0)
    // Text, tool arguments and results after TOOL_CALL_END map to nothing, and are counted as such.
    expect(stats.byCode.ignored).toBe(
      stream.filter((e) => /TEXT_MESSAGE|TOOL_CALL_ARGS|TOOL_CALL_RESULT/.test(String(e.type))).length,
    )
  })

  it('mid-run the research step shows the counts the snapshot carried, and confidence says unordered', () => {
    const cut = stream.findIndex((e) => e.type === 'STATE_SNAPSHOT')
    const { last } = feed(createAgUiAdapter({ plan: recorded.plan, snapshot }), stream.slice(0, cut + 1), RUN)
    expect(last?.phases[1]).toMatchObject({ id: 'research', status: 'active', done: 1, total: 3 })
    // Plan (1) done, research (3) at 1 of 3, of 6; the creeping estimate before the counts stayed below that.
    expect(last?.displayed).toBeCloseTo(2 / 6, 6)
    expect(last?.activity.at(-1)).toMatchObject({ call: 'call_1', type: 'tool_completed' })
    expect(last?.confidence).toBe('medium')
    expect(last?.confidenceReason).toBe('unordered')
  })

  it('without a plan, adds steps as they appear and takes the run from RUN_STARTED', () => {
    const { last, views } = feed(createAgUiAdapter(), stream, RUN)
    expectMonotonic(views)
    expect(last?.phases.map((p) => p.id)).toEqual(['plan', 'research', 'write'])
    expect(last?.displayed).toBe(1)
  })

  it.each([7, 8, 9, 10])('shuffled (seed %i): never steps back and ends completed at 1', (seed) => {
    const { views, last } = feed(
      createAgUiAdapter({ run: RUN, plan: recorded.plan, snapshot }),
      shuffled(stream, seed),
      RUN,
    )
    expectMonotonic(views)
    expectNeverHighWhileRunning(views)
    expect(last?.status).toBe('completed')
    expect(last?.displayed).toBe(1)
  })

  it('with duplicates: the same phases and activity as in order, duplicates counted', () => {
    const options = { plan: recorded.plan, snapshot }
    const clean = feed(createAgUiAdapter(options), stream, RUN).last!
    const doubled = withDuplicates(stream)
    const { last, views } = feed(createAgUiAdapter(options), doubled, RUN)
    expectMonotonic(views)
    expect(last?.phases.map((p) => [p.id, p.status, p.done])).toEqual(
      clean.phases.map((p) => [p.id, p.status, p.done]),
    )
    expect(last?.activity.map((a) => [a.call, a.type])).toEqual(clean.activity.map((a) => [a.call, a.type]))
    expect(last?.stats.rejected).toBe(0)
    // Duplicates of messages that mapped to nothing have no run to be counted on: the store counts them.
    const silent = doubled.length - stream.length - last!.stats.duplicates
    expect(silent).toBeGreaterThan(0)
    expect(last!.stats.duplicates).toBeGreaterThan(0)
  })

  it('RUN_ERROR fails the run with its message and code; an interrupt does not finish it', () => {
    const started = { type: 'RUN_STARTED', threadId: 't', runId: 'r1' }
    const failed = feed(
      createAgUiAdapter(),
      [
        started,
        { type: 'STEP_STARTED', stepName: 'think' },
        { type: 'RUN_ERROR', message: 'model overloaded', code: '529' },
      ],
      'r1',
    )
    expect(failed.last).toMatchObject({ status: 'failed', error: 'model overloaded (529)' })
    const paused = feed(
      createAgUiAdapter(),
      [
        started,
        { type: 'STEP_STARTED', stepName: 'think' },
        { type: 'RUN_FINISHED', threadId: 't', runId: 'r1', outcome: 'interrupt' },
      ],
      'r1',
    )
    expect(paused.last?.status).toBe('running')
  })
})
