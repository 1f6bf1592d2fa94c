import { renderToString } from 'react-dom/server'
import { ActivityFeed, ProgressProvider } from '../../src/react/index'
import { createRunLog, createTestStore, PLAN } from './frames'

// The real hook, watched: React 18.3 warns for every useLayoutEffect rendered on the server (React 19 is silent).
vi.mock('react', async (importOriginal) => {
  const react = await importOriginal<typeof import('react')>()
  return { ...react, useLayoutEffect: vi.fn(react.useLayoutEffect) }
})

const { useLayoutEffect } = await import('react')

test('server-renders its rows without layout effects or console warnings', () => {
  expect(typeof document).toBe('undefined')
  const source = createTestStore()
  const log = createRunLog()
  source.feed(
    log.next('run_started', { plan: PLAN }, 0),
    log.next('agent_started', { agent: 'Researcher' }, 1_000),
    log.next('tool_executing', { call: 'c1', tool: 'search' }, 2_000),
  )
  const error = vi.spyOn(console, 'error').mockImplementation(() => {})
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
  try {
    const html = renderToString(
      <ProgressProvider client={source}>
        <ActivityFeed runId="r1" now={() => 3_000} />
      </ProgressProvider>,
    )
    expect(html).toContain('aria-label="Activity"')
    expect(html).toContain('Researcher started')
    expect(html).toMatch(/search running · \d+ sec/)
    expect(useLayoutEffect).not.toHaveBeenCalled()
    expect(error).not.toHaveBeenCalled()
    expect(warn).not.toHaveBeenCalled()
  } finally {
    error.mockRestore()
    warn.mockRestore()
    source.destroy()
  }
})
