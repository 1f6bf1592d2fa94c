// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react'
import { ProgressProvider, RunProgress } from '../../src/react/index'
import { createRunLog, createTestStore, feedEstimated, feedFailed, feedRunning, PLAN } from './frames'

function setup(ui: React.ReactNode, providerProps: { locale?: string; labels?: object } = {}) {
  const source = createTestStore()
  const log = createRunLog()
  const view = render(
    <ProgressProvider client={source} {...providerProps}>
      {ui}
    </ProgressProvider>,
  )
  return { source, log, view, region: () => view.container.querySelector('section')! }
}

describe('RunProgress', () => {
  test('pending: a named region with an indeterminate bar', () => {
    const { region } = setup(<RunProgress runId="r1" />)
    expect(region().getAttribute('data-state')).toBe('pending')
    expect(screen.getByRole('region', { name: 'Run' })).toBe(region())
    expect(screen.getByRole('progressbar').getAttribute('data-state')).toBe('indeterminate')
    expect(region().querySelector('.lp-badge [aria-hidden]')?.textContent).toBe('Waiting for updates…')
  })

  test('a run the server refuses says so in words, at low confidence, until the run sends an event', () => {
    const { source, log, region } = setup(<RunProgress runId="r1" />)
    act(() => {
      source.follow('r1')
      source.feed(JSON.stringify({ v: 1, type: 'error', code: 'forbidden', message: 'no', run: 'r1' }))
    })
    expect(screen.getByRole('alert').textContent).toBe('You do not have access to this run.')
    expect(region().getAttribute('data-confidence')).toBe('low')
    act(() => source.feed(log.next('run_started', { plan: PLAN, title: 'Report' })))
    expect(screen.queryByRole('alert')).toBeNull()
  })

  test('queued: the queue notice and a determinate bar at 0', () => {
    const { source, log } = setup(<RunProgress runId="r1" />)
    act(() =>
      source.feed(
        log.next('run_started', { plan: PLAN, title: 'Report' }),
        log.next('queued', { position: 2 }),
      ),
    )
    expect(screen.getByRole('region', { name: 'Report' }).getAttribute('data-state')).toBe('queued')
    expect(screen.getByText('Waiting: 2 runs ahead')).toBeTruthy()
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0')
  })

  test('running: title, badge, bar, steps and activity together', () => {
    const { source, log, region } = setup(<RunProgress runId="r1" />)
    act(() => {
      feedRunning(source, log)
      source.feed(log.next('tool_executing', { call: 'c', tool: 'search' }))
    })
    expect(region().getAttribute('data-state')).toBe('running')
    expect(region().getAttribute('data-confidence')).toBe('high')
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(/^\d+%, Search: 12 of 40/)
    expect(screen.getByRole('list', { name: 'Steps' })).toBeTruthy()
    expect(screen.getByRole('list', { name: 'Activity' })).toBeTruthy()
    expect(region().querySelector('.lp-badge')?.getAttribute('data-state')).toBe('live')
  })

  test('estimated and reconnecting show through the badge and data-confidence', () => {
    const { source, log, region } = setup(<RunProgress runId="r1" />)
    act(() => feedEstimated(source, log))
    expect(region().getAttribute('data-confidence')).toBe('medium')
    expect(screen.getByRole('progressbar').hasAttribute('data-estimated')).toBe(true)
    act(() => source.setConnection({ status: 'reconnecting' }))
    expect(region().getAttribute('data-confidence')).toBe('low')
    expect(region().querySelector('.lp-badge')?.textContent).toContain('Reconnecting…')
  })

  test('failed: the run error as an alert', () => {
    const { source, log, region } = setup(<RunProgress runId="r1" />)
    act(() => feedFailed(source, log))
    expect(region().getAttribute('data-state')).toBe('failed')
    expect(screen.getByRole('alert').textContent).toBe('Run failed: no sources')
  })

  test('parts can be hidden; refs and props reach the section', () => {
    const ref = { current: null as HTMLElement | null }
    const { source, log, region } = setup(
      <RunProgress runId="r1" showPhases={false} showActivity={false} ref={ref} dir="rtl" className="x" />,
    )
    act(() => {
      feedRunning(source, log)
      source.feed(log.next('agent_started', { agent: 'A' }))
    })
    expect(ref.current).toBe(region())
    expect(region().getAttribute('dir')).toBe('rtl')
    expect(region().className).toBe('lp-run x')
    expect(screen.queryByRole('list')).toBeNull()
  })

  test('provider locale and labels reach every part; a component override wins', () => {
    const { source, log } = setup(<RunProgress runId="r1" labels={{ progress: 'Avance' }} />, {
      locale: 'de',
      labels: {
        run: 'Lauf',
        phases: 'Schritte',
        progress: 'Fortschritt',
        count: (d: string, t: string) => `${d} von ${t}`,
      },
    })
    expect(screen.getByRole('region', { name: 'Lauf' })).toBeTruthy()
    act(() => {
      source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
      source.feed(log.next('phase_progress', { phase: 'search', done: 1500, total: 3000 }))
    })
    // Inside RunProgress the bar is named by the run's title (here the untitled run's 'Lauf'), not by `progress`.
    const bar = screen.getByRole('progressbar', { name: 'Lauf' })
    expect(bar.getAttribute('aria-valuetext')).toMatch(/^\d+\s%, Search: 1\.500 von 3\.000$/)
    expect(screen.getByRole('list', { name: 'Schritte' }).textContent).toContain('1.500 von 3.000')
  })

  test('percent follows the locale in the value text', () => {
    const { source, log } = setup(<RunProgress runId="r1" locale="fr" />)
    act(() => feedEstimated(source, log))
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toMatch(/^\d+\s% estimated, Plan/)
  })
})
