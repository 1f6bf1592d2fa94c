import { createResearchProgressAdapter, type ResearchProgressMessage } from '../../src/client/adapters/index'
import { expectMonotonic, expectNeverHighWhileRunning, feed, shuffled, withDuplicates } from './feed'
import recorded from './fixtures/research_progress.json'

const RUN = 'rsch_01HZX4K7Q2V9'
const messages = recorded.messages as ResearchProgressMessage[]
const adapter = () => createResearchProgressAdapter({ plan: recorded.plan })

describe('research_progress adapter, fed the recorded stream', () => {
  it('in order: every phase done, no rejection, completed at exactly 1', () => {
    const { views, last } = feed(adapter(), messages, RUN)
    expectMonotonic(views)
    expectNeverHighWhileRunning(views)
    expect(last?.status).toBe('completed')
    expect(last?.displayed).toBe(1)
    expect(last?.phases.map((p) => [p.id, p.status])).toEqual(recorded.plan.map((p) => [p.id, 'done']))
    expect(last?.stats.rejected).toBe(0)
    expect(last?.epoch).toBe('local')
  })

  it('in order, the bar follows the counts of the phase being worked on', () => {
    const { views } = feed(adapter(), messages.slice(0, 8), RUN)
    const view = views.at(-1)!
    // plan (1) done, search (3) at 5 of 8: (1 + 3 × 5/8) / 12
    expect(view.progress).toBeCloseTo((1 + 3 * (5 / 8)) / 12, 6)
    expect(view.phases.find((p) => p.id === 'search')?.detail).toBe(messages[7]!.message)
    expect(view.confidenceReason).toBe('unordered')
  })

  it.each([1, 2, 3, 4, 5])(
    'shuffled (seed %i): never steps back, ends completed at 1, stale ones counted',
    (seed) => {
      const order = shuffled(messages, seed)
      const { views, last } = feed(adapter(), order, RUN)
      expectMonotonic(views)
      expectNeverHighWhileRunning(views)
      expect(last?.status).toBe('completed')
      expect(last?.displayed).toBe(1)
      // Whatever arrived after the completion, or after its phase had finished, was refused and counted.
      const after = order.length - 1 - order.findIndex((m) => m.status === 'completed')
      expect(last!.stats.rejected).toBeGreaterThanOrEqual(after)
      const reasons = Object.values(last!.stats.rejections).reduce((sum, n) => sum + (n ?? 0), 0)
      expect(reasons).toBe(last!.stats.rejected)
    },
  )

  it('with duplicates: the same end state as in order, every duplicate counted and dropped', () => {
    const clean = feed(adapter(), messages, RUN).last!
    const doubled = withDuplicates(messages)
    const { views, last } = feed(adapter(), doubled, RUN)
    expectMonotonic(views)
    // Arrival times differ (more messages took more time); what the phases say does not.
    const gist = (view: typeof clean) => ({
      phases: view.phases.map(({ id, status, done, total, detail }) => ({ id, status, done, total, detail })),
      activity: view.activity.map(({ type, agent, text }) => ({ type, agent, text })),
    })
    expect(gist(last!)).toEqual(gist(clean))
    expect(last?.stats.duplicates).toBe(doubled.length - messages.length)
    expect(last?.stats.rejected).toBe(0)
  })

  it('shuffled and duplicated together: still monotonic and completed', () => {
    const { views, last } = feed(adapter(), shuffled(withDuplicates(messages), 99), RUN)
    expectMonotonic(views)
    expect(last?.status).toBe('completed')
    expect(last?.displayed).toBe(1)
  })

  it('infers the plan from the phases seen when no plan is given', () => {
    const { last, views } = feed(createResearchProgressAdapter(), messages, RUN)
    expectMonotonic(views)
    expect(last?.phases.map((p) => p.id)).toEqual(['plan', 'search', 'read', 'synthesize', 'write'])
    expect(last?.phases.every((p) => p.weight === 1 && p.status === 'done')).toBe(true)
    expect(last?.displayed).toBe(1)
  })

  it('accepts run_id as well as research_id, and reads progress as the phase percentage when asked', () => {
    const { last } = feed(
      createResearchProgressAdapter({ percent: 'phase' }),
      [{ type: 'research_progress', run_id: 'r-9', phase: 'crawl', progress: 40, completed_phases: [] }],
      'r-9',
    )
    expect(last?.phases[0]).toMatchObject({ id: 'crawl', status: 'active', done: 40, total: 100 })
  })

  it('refuses an earlier phase becoming current after a later one finished (unordered mode only)', () => {
    const { last, errors } = feed(
      adapter(),
      [
        { type: 'research_progress', research_id: RUN, phase: 'search', completed_phases: ['plan'] },
        // `read` never reported; `synthesize`, after it in the plan, finished.
        {
          type: 'research_progress',
          research_id: RUN,
          phase: 'write',
          completed_phases: ['plan', 'search', 'synthesize'],
        },
        // A stale message now would make `read` current: a step backward, refused.
        { type: 'research_progress', research_id: RUN, phase: 'read', items_done: 3, items_total: 12 },
      ],
      RUN,
    )
    expect(last?.phases.find((p) => p.id === 'read')?.status).toBe('pending')
    expect(last?.stats.rejections).toEqual({ phase_out_of_order: 1 })
    expect(errors).toContainEqual(expect.objectContaining({ kind: 'rejected', reason: 'phase_out_of_order' }))
  })

  it('counts a message it cannot read, and one without a run id, with a reason and without throwing', () => {
    const { stats, errors, last } = feed(
      adapter(),
      [
        '{"type":"research_progress",',
        { type: 'research_progress', phase: 'plan' },
        { type: 'research_progress', research_id: RUN, phase: 'search', items_done: 9, items_total: 8 },
        { type: 'something_else' },
      ],
      RUN,
    )
    expect(stats.byCode).toMatchObject({ bad_json: 1, adapter_threw: 1, invalid: 1, ignored: 1 })
    expect(stats.invalid).toBe(3)
    expect(errors.map((e) => e.kind)).toEqual(['adapter', 'adapter', 'adapter'])
    // The run was declared by the third message's plan; its bad counts changed nothing.
    expect(last?.phases.find((p) => p.id === 'search')?.status).toBe('pending')
  })
})
