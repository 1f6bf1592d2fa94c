// @vitest-environment node
import { createHubHost, type HubHost } from '../../demo/createHubHost'
import { createRunBoard } from '../../demo/createRunBoard'
import type { ResearchPublisher } from '../../demo/simulateResearchRun'
import { createProgressClient, type ProgressClient } from '../../src/client/createProgressClient'
import { createProgressHub, type RunPublisher } from '../../src/server'
import { createMemoryTransport } from '../../src/transport/createMemoryTransport'

async function until<T>(read: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

// The hub's publisher is what the simulation is written against.
const satisfies: (run: RunPublisher) => ResearchPublisher = (run) => run

describe('the demo backend', () => {
  let host: HubHost
  let client: ProgressClient | undefined
  let board: ReturnType<typeof createRunBoard> | undefined

  beforeEach(() => {
    host = createHubHost({ heartbeatMs: 200 })
  })
  afterEach(async () => {
    board?.close()
    client?.close()
    await host.close()
  })

  it("the hub's publisher satisfies the simulation's ResearchPublisher", () => {
    const hub = createProgressHub()
    expect(typeof satisfies(hub.run('x')).transition).toBe('function')
    return hub.close()
  })

  it('keeps later runs in a backlog and tells them their position as it moves', async () => {
    board = createRunBoard({ host, concurrency: 1, speed: 0.01 })
    const [first, second, third] = await board.start(3)
    expect(host.hub.state(first!)?.status).toBe('running')
    expect(host.hub.state(second!)).toMatchObject({ status: 'queued', queuePosition: 0 })
    expect(host.hub.state(third!)).toMatchObject({ status: 'queued', queuePosition: 1 })
    await until(() => host.hub.state(second!)?.status === 'running')
    await until(() => host.hub.state(third!)?.queuePosition === 0)
    await until(() => board!.list().every((run) => run.stage === 'ended'))
    for (const id of [first, second, third]) expect(host.hub.state(id!)?.status).toBe('completed')
  })

  it('carries a run across two hub restarts: same epoch, the client resumes and never steps back', async () => {
    board = createRunBoard({ host, speed: 0.05 })
    const memory = createMemoryTransport((peer) => host.hub.connect(peer), { reconnectDelayMs: 5 })
    client = createProgressClient({ transport: memory })
    const [id] = await board.start(1)
    client.follow(id!)
    const shown: number[] = []
    client.store.subscribe((state) => {
      const run = state.runs[id!]
      if (run) shown.push(run.displayed)
    })
    await until(() => (client!.store.getState().runs[id!]?.seq ?? 0) > 3)
    const epoch = client.store.getState().runs[id!]!.epoch
    await host.restart()
    await until(() => (client!.store.getState().runs[id!]?.seq ?? 0) > 20)
    await host.restart()
    const done = await until(() => {
      const run = client!.store.getState().runs[id!]
      return run?.status === 'completed' ? run : undefined
    }, 20_000)
    expect(host.restarts).toBe(2)
    expect(done.epoch).toBe(epoch)
    expect(done.displayed).toBe(1)
    expect(shown.every((value, index) => index === 0 || value >= shown[index - 1]!)).toBe(true)
    expect(client.stats().resumes).toBeGreaterThanOrEqual(2)
  })
})
