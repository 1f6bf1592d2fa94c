// @vitest-environment jsdom
import type { IncomingMessage } from 'node:http'
import { render, screen, waitFor } from '@testing-library/react'
import { WebSocket } from 'ws'
import { createProgressClient, type ProgressClient } from '../../src/client/createProgressClient'
import { ProgressProvider, type ProgressSource, RunProgress } from '../../src/react/index'
import { createProgressHub, type ProgressHub } from '../../src/server'
import { serveHub } from '../server/wire'
import { PLAN } from './frames'

// The client is a ProgressSource as it is (checked by tsc).
expectTypeOf<ProgressClient>().toExtend<ProgressSource>()

describe('RunProgress over the live client and a real hub', () => {
  let hub: ProgressHub<IncomingMessage>
  let served: Awaited<ReturnType<typeof serveHub>>
  let client: ProgressClient

  beforeEach(async () => {
    hub = createProgressHub<IncomingMessage>()
    served = await serveHub(hub)
    client = createProgressClient({ url: served.url, WebSocket: WebSocket as never })
  })
  afterEach(async () => {
    client.close()
    await served.close()
    await hub.close()
  })

  test('mounting follows the run, events draw the parts, unmounting unsubscribes', async () => {
    const view = render(
      <ProgressProvider client={client}>
        <RunProgress runId="job-1" reducedMotion />
      </ProgressProvider>,
    )
    expect(client.followed()).toEqual(['job-1'])
    const run = hub.run('job-1')
    expect(await run.firstSubscriber({ timeoutMs: 5000 })).toBe(true)
    await run.start(PLAN, { title: 'Quarterly report' })
    await run.transition('plan', 'search')
    await run.phaseProgress('search', 12, 40)
    await run.toolExecuting('c1', 'web_search', 'Researcher')

    const bar = await screen.findByRole('progressbar', {}, { timeout: 5000 })
    await waitFor(() => expect(bar.getAttribute('aria-valuetext')).toMatch(/^\d+%, Search: 12 of 40/), {
      timeout: 5000,
    })
    expect(screen.getByRole('region', { name: 'Quarterly report' }).getAttribute('data-state')).toBe(
      'running',
    )
    expect(bar.getAttribute('aria-valuenow')).toBe('38')
    expect(view.container.querySelector('.lp-feed__item')?.textContent).toMatch(/^web_search running/)

    await run.phaseCompleted('search')
    await run.phaseSkipped('write')
    await run.complete()
    await waitFor(() => expect(bar.getAttribute('data-state')).toBe('complete'), { timeout: 5000 })
    expect(bar.getAttribute('aria-valuenow')).toBe('100')

    view.unmount()
    await waitFor(() => expect(client.stats().unsubscribes).toBe(1), { timeout: 5000 })
    expect(client.followed()).toEqual([])
    await waitFor(() => expect(run.subscribers).toBe(0), { timeout: 5000 })
  })
})
