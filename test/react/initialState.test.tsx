// @vitest-environment jsdom
import { act } from '@testing-library/react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { ProgressProvider, RunProgress } from '../../src/react/index'
import { snapshotFrame } from '../../src/react/runSnapshot'
import { createTestStore } from './frames'
import { serverSnapshot } from './serverRun'

test('the server HTML from initialState hydrates without mismatches, then live data takes over', async () => {
  const snapshot = await serverSnapshot()
  const ui = (source: ReturnType<typeof createTestStore>, onComplete?: () => void) => (
    <ProgressProvider client={source}>
      <RunProgress runId="r1" initialState={snapshot} onComplete={onComplete} reducedMotion />
    </ProgressProvider>
  )
  const server = createTestStore()
  const container = document.createElement('div')
  container.innerHTML = renderToString(ui(server))
  document.body.append(container)
  const bar = () => container.querySelector('[role="progressbar"]')!

  const browser = createTestStore()
  const onComplete = vi.fn()
  const errors: unknown[] = []
  const error = vi.spyOn(console, 'error').mockImplementation((...args) => errors.push(args))
  const recoverable: unknown[] = []
  let root: ReturnType<typeof hydrateRoot> | undefined
  await act(async () => {
    root = hydrateRoot(container, ui(browser, onComplete), { onRecoverableError: (e) => recoverable.push(e) })
  })
  error.mockRestore()
  expect(recoverable).toEqual([])
  expect(errors).toEqual([])
  // Followed now, but nothing heard yet: the snapshot still speaks.
  expect(browser.store.getState().runs.r1?.epoch).toBeNull()
  expect(bar().getAttribute('aria-valuenow')).toBe('38')
  expect(container.textContent).not.toContain('Waiting for updates')

  // The connection brings the run as it stands now: further along, then done.
  const later = await serverSnapshot()
  const search = later.state.phases.find((phase) => phase.id === 'search')!
  Object.assign(search, { done: 40, status: 'done' })
  act(() => browser.feed(snapshotFrame('r1', { ...later, epoch: snapshot.epoch, seq: snapshot.seq + 1 })))
  expect(Number(bar().getAttribute('aria-valuenow'))).toBeGreaterThan(38)
  expect(onComplete).not.toHaveBeenCalled()
  const done = { ...later, epoch: snapshot.epoch, seq: snapshot.seq + 2 }
  done.state = {
    ...done.state,
    status: 'completed',
    phases: done.state.phases.map((p) => ({ ...p, status: 'done' as const })),
  }
  act(() => browser.feed(snapshotFrame('r1', done)))
  expect(bar().getAttribute('aria-valuenow')).toBe('100')
  expect(onComplete).toHaveBeenCalledTimes(1)

  act(() => root!.unmount())
  container.remove()
  server.destroy()
  browser.destroy()
})
