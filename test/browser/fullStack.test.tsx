import { createProgressClient } from '../../src/index'
import { RunProgress } from '../../src/react/index'
import { createMemoryTransport } from '../../src/transport/createMemoryTransport'
import '../../src/react/styles.css'
import { createProgressHub } from '../../src/server/index'
import { mountInPage } from './mountInPage'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// The whole kit in a real browser: hub → in-memory wire → client → React → pixels.
test('six concurrent searches and a dropped connection still draw a bar that only moves forward to 100%', async () => {
  const hub = createProgressHub()
  const wire = createMemoryTransport((peer) => hub.connect(peer), { reconnectDelayMs: 30 })
  const client = createProgressClient({ transport: wire })
  const { host, unmount } = await mountInPage(client, <RunProgress runId="r1" />)
  const bar = host.querySelector<HTMLElement>('[role="progressbar"]')!
  const seen: number[] = []
  const observer = new MutationObserver(() => {
    const value = bar.getAttribute('aria-valuenow')
    if (value !== null) seen.push(Number(value))
  })
  observer.observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] })

  const run = hub.run('r1')
  await run.start([
    { id: 'search', label: 'Searching', weight: 3 },
    { id: 'write', label: 'Writing', weight: 1 },
  ])
  await run.phaseStarted('search')
  // Six tasks report at once, each at its own pace; the hub orders them into one log.
  let killed = false
  await Promise.all(
    Array.from({ length: 6 }, async (_, task) => {
      for (let done = 0; done <= 5; done++) {
        await sleep(5 + ((task * 7 + done * 3) % 11))
        await run.taskProgress('search', `t${task}`, done, 5)
        if (task === 3 && done === 2 && !killed) {
          killed = true
          wire.kill()
        }
      }
    }),
  )
  await run.transition('search', 'write')
  await run.phaseProgress('write', 1, 1)
  await run.phaseCompleted('write')
  await run.complete()

  const deadline = Date.now() + 5_000
  while (bar.getAttribute('aria-valuenow') !== '100' && Date.now() < deadline) await sleep(20)
  observer.disconnect()

  expect(bar.getAttribute('aria-valuenow')).toBe('100')
  expect(host.querySelector('section')?.getAttribute('data-state')).toBe('completed')
  expect(seen.every((value, i) => i === 0 || value >= seen[i - 1]!)).toBe(true)
  expect(wire.opens).toBeGreaterThanOrEqual(2)
  const view = client.store.getState().runs.r1!
  expect(view.stats.rejected).toBe(0)
  expect(view.seq).toBe(run.head)

  // The spring settles: the solid fill spans the whole track, and says so exactly.
  const track = host.querySelector<HTMLElement>('.lp-bar__track')!
  const fill = host.querySelector<HTMLElement>('.lp-bar__fill')!
  const settle = Date.now() + 3_000
  while (fill.getAnimations().length > 0 && Date.now() < settle) await sleep(20)
  expect(fill.getAnimations()).toEqual([])
  expect(fill.style.transform).toBe('translateX(0%)')
  // Inside the track's edge (its border): the fill starts where the track's padding box does.
  expect(fill.getBoundingClientRect().left).toBeCloseTo(
    track.getBoundingClientRect().left + track.clientLeft,
    0,
  )

  await unmount()
  client.close()
})
