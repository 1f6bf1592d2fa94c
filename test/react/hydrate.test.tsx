// @vitest-environment jsdom
import { act } from '@testing-library/react'
import { hydrateRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { ProgressProvider, RunProgress } from '../../src/react/index'
import { createRunLog, createTestStore, feedRunning } from './frames'

test('server HTML hydrates without mismatches', async () => {
  const source = createTestStore()
  const log = createRunLog()
  feedRunning(source, log)
  source.feed(
    log.next('agent_started', { agent: 'A' }),
    log.next('tool_executing', { call: 'c', tool: 'search' }),
  )
  const ui = (
    <ProgressProvider client={source}>
      <RunProgress runId="r1" now={() => source.clock.t} />
    </ProgressProvider>
  )
  const container = document.createElement('div')
  container.innerHTML = renderToString(ui)
  document.body.append(container)
  const errors: unknown[] = []
  const error = vi.spyOn(console, 'error').mockImplementation((...args) => errors.push(args))
  const recoverable: unknown[] = []
  let root: ReturnType<typeof hydrateRoot> | undefined
  await act(async () => {
    root = hydrateRoot(container, ui, { onRecoverableError: (e) => recoverable.push(e) })
  })
  error.mockRestore()
  expect(recoverable).toEqual([])
  expect(errors).toEqual([])
  expect(container.querySelector('[role="progressbar"]')?.getAttribute('aria-valuetext')).toMatch(
    /^\d+%, Search: 12 of 40/,
  )
  act(() => root!.unmount())
  container.remove()
})
