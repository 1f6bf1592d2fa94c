// @vitest-environment node
import { startChaosRelay } from '../support/chaosRelay'
import { PLAN, startClient, startHub, waitFor, watchRun } from './scenario'

const RUN = 'research-storm'
const DROPS = 100
const LIMITS = { activityLimit: 50, taskLimit: 256 }

describe('reconnect storm', () => {
  it(`${DROPS} dropped connections mid-run: sizes stay bounded and the client ends equal to the hub`, async () => {
    const hub = await startHub({ epoch: () => 'storm', limits: LIMITS })
    const relay = await startChaosRelay(hub.url, 100)
    // This test counts the relay's kills exactly: silence (rule 8, tested in silentConnection.test.ts) must not add
    // drops when a loaded machine delays the 30 ms heartbeats.
    const client = startClient(relay.url, { activityLimit: LIMITS.activityLimit, heartbeatTimeoutMs: 10_000 })
    try {
      const watch = watchRun(client, RUN)
      client.follow(RUN)
      const run = hub.hub.run(RUN)
      expect(await run.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
      await run.start(PLAN)
      await run.phaseStarted('plan')
      await run.transition('plan', 'search')

      for (let drop = 0; drop < DROPS; drop++) {
        await waitFor(
          () =>
            client.store.getState().connection.status === 'open' && relay.live() === 1 ? true : undefined,
          3000,
          `reconnect #${drop}`,
        )
        // Three activity entries per round: 300 in all, six times the activity limit.
        const task = `query-${drop % 8}`
        const done = Math.floor(drop / 8) + 1
        await run.taskProgress('search', task, done, 13)
        await run.agentThinking('planner', `round ${drop}`)
        await run.toolExecuting(`call-${drop}`, 'web.fetch', 'planner')
        await run.toolCompleted(`call-${drop}`, 'web.fetch', { ok: true, agent: 'planner' })
        // Odd rounds wait until the client is current; even ones kill with frames still in flight.
        if (drop % 2 === 1) {
          await waitFor(
            () => (client.store.getState().runs[RUN]?.seq === run.head ? true : undefined),
            3000,
            `catch-up #${drop}`,
          )
        }
        relay.killAll()
      }
      await run.transition('search', 'read')
      await run.transition('read', 'reason')
      await run.transition('reason', 'write')
      await run.phaseCompleted('write')
      await run.complete()

      const view = await waitFor(
        () => {
          const found = client.store.getState().runs[RUN]
          return found?.status === 'completed' && found.seq === run.head ? found : undefined
        },
        5000,
        'convergence after the storm',
      )
      const state = hub.hub.state(RUN)!
      expect(view.phases).toEqual(state.phases)
      expect(view.activity).toEqual(state.activity)
      expect(watch.violations).toEqual([])

      // Sizes, not timings: nothing grew with the number of connections.
      expect(view.activity).toHaveLength(LIMITS.activityLimit)
      expect(view.phases.find((phase) => phase.id === 'search')?.tasks).toHaveLength(8)
      expect(Object.keys(client.store.getState().runs)).toEqual([RUN])
      expect(client.followed()).toEqual([RUN])
      await waitFor(
        () => (hub.hub.metrics().connections === 1 ? true : undefined),
        3000,
        'hub to drop dead peers',
      )
      expect(relay.live()).toBe(1)
      expect(hub.hub.metrics().runs).toBe(1)
      const stats = client.stats()
      expect(stats.drops).toBe(DROPS)
      expect(stats.opens).toBe(DROPS + 1)
      // Every reopen resumed from the last applied seq instead of asking for everything again.
      const metrics = hub.hub.metrics()
      console.info(`storm: client ${JSON.stringify(stats)}, hub ${JSON.stringify(metrics)}`)
      // Every reopen after a caught-up round resumed from the last applied seq; plain subscribes (a
      // snapshot) only when nothing had been applied yet. A subscribe killed in the relay gets no answer.
      expect(stats.resumes).toBeGreaterThanOrEqual(DROPS / 2)
      expect(stats.resumes + stats.subscribes).toBe(stats.opens)
      expect(metrics.replays + metrics.snapshotsSent).toBeLessThanOrEqual(stats.resumes + stats.subscribes)
      expect(metrics.snapshotsSent).toBeLessThanOrEqual(stats.subscribes)
      expect(view.stats.overflows).toBe(0)
    } finally {
      client.close()
      await relay.close()
      await hub.close()
    }
  })
})
