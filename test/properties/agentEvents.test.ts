import fc from 'fast-check'
import { createProgressStore } from '../../src/client/createProgressStore'
import { createRunState, DEFAULT_LIMITS } from '../../src/core/applyEvent'
import { createRunDraft } from '../../src/core/runDraft'
import { taskCounts } from '../../src/core/taskCounts'
import { encodeFrame } from '../../src/protocol/codec'
import type { ActivityEntry, RunState, SequencedFrame } from '../../src/protocol/types'
import { randomStreamArb } from '../support/streams'

/**
 * PROTOCOL v1.1 decisions 3 and 5 over random streams (valid or not, chatty, with snapshots and small limits):
 * eviction never drops an open entry, counts never go negative or disagree with the list, a terminal event closes
 * everything, and an end is accepted exactly when its agent or call is open.
 */

const RUNS = 200

// The test's own reading of "open", independent of the kit's helper.
const open = (a: ActivityEntry) =>
  (a.type === 'agent_started' || a.type === 'tool_executing') && a.endedAt === undefined
const keyOf = (a: { agent?: string; call?: string; type: string }) =>
  a.type.startsWith('agent') ? `agent:${a.agent}` : `call:${a.call}`
const terminal = (status: RunState['status']) =>
  status === 'completed' || status === 'failed' || status === 'cancelled'

/** What is open, by key → seq of its start: kept from the accepted events alone. */
function createOpenModel() {
  const opened = new Map<string, number>()
  return {
    opened,
    /** Whether an end for this key should be accepted. */
    has: (key: string) => opened.has(key),
    accepted(event: SequencedFrame, after: RunState) {
      switch (event.type) {
        case 'agent_started':
        case 'tool_executing':
          opened.set(keyOf(event), event.seq)
          return
        case 'agent_completed':
        case 'tool_completed':
          opened.delete(keyOf(event))
          return
        case 'snapshot':
          opened.clear()
          for (const entry of after.activity) if (open(entry)) opened.set(keyOf(entry), entry.seq)
          return
        default:
          if (terminal(after.status)) opened.clear()
      }
    },
  }
}

/** Applies a stream to a draft, publishing at random, and checks `check` after every event. */
function walk(
  events: SequencedFrame[],
  limits: typeof DEFAULT_LIMITS,
  publishEvery: boolean[],
  check: (event: SequencedFrame, rejected: string | undefined, before: RunState, after: RunState) => void,
) {
  const draft = createRunDraft(createRunState(), limits)
  events.forEach((event, i) => {
    const before = draft.peek()
    const rejected = draft.apply(event)
    const after = publishEvery[i % publishEvery.length] ? draft.publish() : draft.peek()
    check(event, rejected, before, after)
  })
}

const scenario = fc.tuple(randomStreamArb, fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }))

describe('agent and tool events over random streams', () => {
  test('eviction never drops an open entry, and the list stays within its limit', () => {
    fc.assert(
      fc.property(scenario, ([{ events, limits }, publishEvery]) => {
        const model = createOpenModel()
        // Only a snapshot from a server that keeps more can bring more open entries than the client keeps.
        let mostOpen = 0
        walk(events, limits, publishEvery, (event, rejected, _before, after) => {
          if (rejected) return
          model.accepted(event, after)
          const shown = new Map(after.activity.filter(open).map((a) => [keyOf(a), a.seq]))
          expect(shown).toEqual(model.opened)
          mostOpen = Math.max(mostOpen, model.opened.size)
          expect(after.activity.length).toBeLessThanOrEqual(Math.max(limits.activityLimit, mostOpen))
        })
      }),
      { numRuns: RUNS },
    )
  })

  test('an agent_completed or tool_completed is accepted exactly when its agent or call is open', () => {
    fc.assert(
      fc.property(scenario, ([{ events, limits }, publishEvery]) => {
        const model = createOpenModel()
        walk(events, limits, publishEvery, (event, rejected, before, after) => {
          if (
            (event.type === 'agent_completed' || event.type === 'tool_completed') &&
            !terminal(before.status)
          ) {
            expect(rejected).toBe(model.has(keyOf(event)) ? undefined : 'unmatched_end')
          }
          if (!rejected) model.accepted(event, after)
        })
      }),
      { numRuns: RUNS },
    )
  })

  test('counts never go negative: active agents are the open agent entries, tasks add up', () => {
    fc.assert(
      fc.property(scenario, ([{ events, limits }, publishEvery]) => {
        walk(events, limits, publishEvery, (_event, _rejected, _before, after) => {
          const agents = after.agents ?? { active: 0, completed: 0, failed: 0 }
          for (const value of Object.values(agents)) expect(value).toBeGreaterThanOrEqual(0)
          const openAgents = after.activity.filter((a) => a.type === 'agent_started' && open(a)).length
          expect(agents.active).toBe(openAgents)
          for (const phase of after.phases) {
            const counts = taskCounts(phase)
            if (!counts) continue
            expect(Math.min(counts.running, counts.done)).toBeGreaterThanOrEqual(0)
            expect(counts.running + counts.done).toBeLessThanOrEqual(counts.total)
          }
        })
      }),
      { numRuns: RUNS },
    )
  })

  test('a terminal event closes everything: no active phase, no open entry, no active agent', () => {
    let closedSome = 0
    fc.assert(
      fc.property(scenario, ([{ events, limits }, publishEvery]) => {
        walk(events, limits, publishEvery, (_event, rejected, before, after) => {
          if (rejected || !terminal(after.status)) return
          expect(after.phases.some((p) => p.status === 'active')).toBe(false)
          expect(after.activity.some(open)).toBe(false)
          expect(after.agents?.active ?? 0).toBe(0)
          if (!terminal(before.status) && before.activity.some(open)) closedSome++
        })
      }),
      { numRuns: RUNS },
    )
    expect(closedSome).toBeGreaterThan(0) // the property did see runs end with work open
  })

  test('the client view carries the same counts and counts every refused end', () => {
    fc.assert(
      fc.property(randomStreamArb, ({ events, limits }) => {
        const store = createProgressStore({ flush: 'sync', activityLimit: limits.activityLimit })
        store.follow('run-1')
        const model = createOpenModel()
        const draft = createRunDraft(createRunState(), {
          ...DEFAULT_LIMITS,
          activityLimit: limits.activityLimit,
        })
        let unmatched = 0
        for (const event of events) {
          const rejected = draft.apply(event)
          if (rejected === 'unmatched_end') unmatched++
          if (!rejected) model.accepted(event, draft.peek())
          store.ingest(encodeFrame(event))
        }
        store.flush()
        const view = store.store.getState().runs['run-1']!
        expect(view.stats.rejections.unmatched_end ?? 0).toBe(unmatched)
        expect(view.agents).toEqual(draft.peek().agents ?? { active: 0, completed: 0, failed: 0 })
        for (const phase of view.phases) expect(view.tasks[phase.id]).toEqual(taskCounts(phase))
        store.destroy()
      }),
      { numRuns: RUNS / 4 },
    )
  })
})
