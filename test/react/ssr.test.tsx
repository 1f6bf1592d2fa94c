// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { ProgressProvider, RunProgress } from '../../src/react/index'
import { createRunLog, createTestStore, feedRunning } from './frames'

describe('server rendering', () => {
  test('renders RunProgress to a string without a DOM', () => {
    expect(typeof window).toBe('undefined')
    const source = createTestStore()
    const log = createRunLog()
    feedRunning(source, log)
    source.feed(log.next('tool_executing', { call: 'c', tool: 'search' }))
    const html = renderToString(
      <ProgressProvider client={source}>
        <RunProgress runId="r1" />
      </ProgressProvider>,
    )
    const percent = Math.round(source.store.getState().runs.r1!.displayed * 100)
    expect(html).toContain('role="progressbar"')
    expect(html).toContain(`aria-valuenow="${percent}"`)
    expect(html).toContain('Search: 12 of 40')
    expect(html).toContain('search running')
    // The segments are drawn where the run stands, before any script runs.
    const fill = /class="lp-bar__fill" style="transform:translateX\((-?[\d.]+)%\)"/.exec(html)
    const confirmed = source.store.getState().runs.r1!.progress
    expect(Number(fill?.[1])).toBeCloseTo((confirmed - 1) * 100, 5)
    source.destroy()
  })

  test('renders a run the server knows nothing about as pending', () => {
    const source = createTestStore()
    const html = renderToString(
      <ProgressProvider client={source}>
        <RunProgress runId="nope" />
      </ProgressProvider>,
    )
    expect(html).toContain('data-state="pending"')
    expect(html).toContain('data-state="indeterminate"')
    expect(html).not.toContain('aria-valuenow')
  })
})
