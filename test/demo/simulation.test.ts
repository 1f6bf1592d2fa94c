// @vitest-environment node
import { simulateResearchRun } from '../../demo/simulateResearchRun'
import type { RunEvent } from '../../src/protocol/types'
import { createProgressHub } from '../../src/server'
import { connectMemory } from '../server/memoryPeer'

/** The demo's simulated runs use the v1.1 agent-event semantics the kit now draws. */
describe('the simulated research run', () => {
  it('announces its tasks, waits for an agent slot mid-run, and has a chatty agent beside open calls', async () => {
    const hub = createProgressHub()
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'sim' })
    await simulateResearchRun(hub.run('sim'), { seed: 3, sleep: () => Promise.resolve(), agentSlotWait: 2 })
    const events = viewer.ofRun('sim') as RunEvent[]
    const at = (type: string) => events.findIndex((e) => e.type === type)

    // Task counts announced before any report.
    const search = events.find((e) => e.type === 'phase_started' && e.phase === 'search')
    expect(search).toMatchObject({ tasks: 8 })
    expect(events.indexOf(search!)).toBeLessThan(at('task_progress'))

    // Back in line after it started, position counting down with an estimate, until the next phase event.
    const waits = events.filter((e) => e.type === 'queued')
    expect(waits.map((e) => e.type === 'queued' && [e.position, e.etaMs])).toEqual([
      [2, 12_000],
      [1, 8_000],
      [0, 4_000],
    ])
    expect(events.indexOf(waits[0]!)).toBeGreaterThan(at('phase_completed'))

    // A chatty agent: thinking lines while one of its calls is open.
    let open = 0
    let thoughtsWhileOpen = 0
    for (const e of events) {
      if (e.type === 'tool_executing' && e.agent === 'researcher') open++
      if (e.type === 'tool_completed' && e.agent === 'researcher') open--
      if (e.type === 'agent_thinking' && e.agent === 'researcher' && open > 0) thoughtsWhileOpen++
    }
    expect(thoughtsWhileOpen).toBeGreaterThanOrEqual(24)

    // Two agents, every call and agent ended by its own event, nothing refused on the way.
    const state = hub.state('sim')!
    expect(state.status).toBe('completed')
    expect(state.agents).toEqual({ active: 0, completed: 2, failed: 0 })
    expect(state.activity.some((a) => a.interrupted)).toBe(false)
    expect(hub.metrics().rejected).toBe(0)
    await hub.close()
  })
})
