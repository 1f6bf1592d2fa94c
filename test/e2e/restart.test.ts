// @vitest-environment node
import type { IncomingMessage } from 'node:http'
import type { ProgressClient } from '../../src/client/index'
import { createMemoryPersist, createProgressHub, type RunPublisher } from '../../src/server/index'
import { type ChaosRelay, createRng, startChaosRelay } from '../support/chaosRelay'
import { PLAN, produceRun, serveHub, sleep, startClient, startHub, waitFor, watchRun } from './scenario'

const RUN = 'research-restart'
const opened: { close(): unknown }[] = []
const track = <T extends { close(): unknown }>(thing: T): T => {
  opened.push(thing)
  return thing
}

afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close()
})

/** The part of the run the first server gets through before it dies: mid-search. */
async function producePrefix(run: RunPublisher) {
  await run.start(PLAN, { title: 'Research: live progress' })
  await run.phaseStarted('plan')
  for (let done = 1; done <= 3; done++) await run.phaseProgress('plan', done, 3)
  await run.transition('plan', 'search')
  for (let task = 0; task < 8; task++) await run.taskProgress('search', `query-${task}`, 2, 6)
  await run.agentThinking('planner', 'halfway through the search')
}

function converged(client: ProgressClient, publisher: RunPublisher) {
  const view = client.store.getState().runs[RUN]
  return view?.status === 'completed' && view.epoch === publisher.epoch && view.seq === publisher.head
    ? view
    : undefined
}

describe('server restart mid-run', () => {
  it('a new hub with a new epoch on the same port: the client takes its snapshot and ends equal', async () => {
    const first = track(await startHub({ epoch: () => 'before-restart' }))
    const port = first.port
    const client = track(startClient(first.url))
    const watch = watchRun(client, RUN)
    client.follow(RUN)
    const before = first.hub.run(RUN)
    expect(await before.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
    await producePrefix(before)
    await waitFor(
      () => (client.store.getState().runs[RUN]?.seq === before.head ? true : undefined),
      3000,
      'prefix',
    )
    const shownBefore = client.store.getState().runs[RUN]!.displayed
    expect(shownBefore).toBeGreaterThan(0)

    await first.close()
    await waitFor(
      () => (client.store.getState().connection.status === 'reconnecting' ? true : undefined),
      3000,
      'loss',
    )
    expect(client.store.getState().runs[RUN]?.confidenceReason).toBe('reconnecting')

    // The restarted backend has no log: a new epoch, caught up with its job before it listens again.
    const hub = createProgressHub<IncomingMessage>({ heartbeatMs: 30, epoch: () => 'after-restart' })
    const after = hub.run(RUN)
    const producing = produceRun(after, createRng(7), 'read')
    await waitFor(() => (after.head >= 6 ? true : undefined), 3000, 'the new hub to catch up')
    const second = track(await serveHub(hub, port))
    await producing
    const view = await waitFor(() => converged(client, after), 5000, 'convergence after restart')

    expect(view.phases).toEqual(hub.state(RUN)!.phases)
    expect(view.activity).toEqual(hub.state(RUN)!.activity)
    expect(view.displayed).toBe(1)
    expect(view.stats.epochChanges).toBe(1)
    expect(second.hub.metrics().snapshotsSent).toBeGreaterThanOrEqual(1)
    expect(watch.violations).toEqual([])
  })

  it('a crash with persistence loses the unwritten tail: the reloaded run takes a new epoch and the client ends equal', async () => {
    const store = createMemoryPersist()
    let crashed = false
    const first = track(
      await startHub({
        epoch: () => 'before-crash',
        persistMs: 5,
        persist: { load: store.load, save: (id, run) => (crashed ? undefined : store.save(id, run)) },
      }),
    )
    const port = first.port
    const client = track(startClient(first.url))
    const watch = watchRun(client, RUN)
    client.follow(RUN)
    const before = first.hub.run(RUN)
    expect(await before.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
    await before.start(PLAN)
    await before.phaseStarted('plan')
    for (let done = 1; done <= 3; done++) await before.phaseProgress('plan', done, 3)
    await waitFor(
      () => (JSON.parse(store.runs.get(RUN) ?? '{}').seq === 5 ? true : undefined),
      3000,
      'a write',
    )
    // Shown to the client, never written: the store ends at seq 5.
    crashed = true
    await before.transition('plan', 'search')
    for (let task = 0; task < 8; task++) await before.taskProgress('search', `query-${task}`, 1, 6)
    await waitFor(() => (client.store.getState().runs[RUN]?.seq === 15 ? true : undefined), 3000, 'the tail')
    await first.close()

    const hub = createProgressHub<IncomingMessage>({
      heartbeatMs: 30,
      epoch: () => 'after-crash',
      persist: store,
    })
    const second = track(await serveHub(hub, port))
    const after = second.hub.run(RUN)
    // The producer resumes from its own checkpoint, which matches the store: these reuse seqs 6 and on.
    await after.transition('plan', 'search')
    for (let task = 0; task < 8; task++) await after.taskProgress('search', `query-${task}`, 6, 6)
    await after.transition('search', 'read')
    await after.phaseProgress('read', 4, 4)
    await after.transition('read', 'reason')
    await after.agentThinking('planner', 'after the crash')
    await after.transition('reason', 'write')
    await after.phaseProgress('write', 2, 2)
    await after.phaseCompleted('write')
    await after.complete()
    expect(after.epoch).toBe('after-crash')
    const view = await waitFor(() => converged(client, after), 5000, 'convergence after the crash')

    expect(view.phases).toEqual(hub.state(RUN)!.phases)
    expect(view.activity).toEqual(hub.state(RUN)!.activity)
    expect(view.displayed).toBe(1)
    expect(view.stats.epochChanges).toBe(1)
    expect(view.stats.rejected).toBe(0)
    expect(watch.violations).toEqual([])
  })

  it.each([4, 9, 16])('seed %i: a chaos relay re-pointed to the new hub still converges', async (seed) => {
    const rng = createRng(seed)
    const first = await startHub({ epoch: () => `old-${seed}` })
    track(first)
    const relay: ChaosRelay = track(
      await startChaosRelay(first.url, seed, {
        reorderWindow: 4,
        holdMs: 10,
        duplicateRate: 0.1,
        dropRate: 0.05,
        killRate: 0.01,
      }),
    )
    const client = track(startClient(relay.url))
    const watch = watchRun(client, RUN)
    client.follow(RUN)
    const before = first.hub.run(RUN)
    expect(await before.firstSubscriber({ timeoutMs: 3000 })).toBe(true)
    await producePrefix(before)
    await sleep(20)

    const second = track(await startHub({ epoch: () => `new-${seed}` }))
    const after = second.hub.run(RUN)
    const producing = produceRun(after, rng, 'search')
    await waitFor(() => (after.head >= 4 ? true : undefined), 3000, 'the new hub to start')
    relay.setTarget(second.url)
    relay.killAll()
    await first.close()
    await producing
    const view = await waitFor(() => converged(client, after), 8000, `seed ${seed}: convergence`)

    expect(view.phases).toEqual(second.hub.state(RUN)!.phases)
    expect(view.activity).toEqual(second.hub.state(RUN)!.activity)
    expect(view.displayed).toBe(1)
    expect(watch.violations).toEqual([])
  })
})
