// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react'
import { Profiler } from 'react'
import { ConfidenceBadge, ProgressProvider } from '../../src/react/index'
import {
  createRunLog,
  createTestStore,
  feedCompleted,
  feedEstimated,
  feedFailed,
  feedRunning,
  PLAN,
} from './frames'

function setup(props: Partial<Parameters<typeof ConfidenceBadge>[0]> = {}) {
  const source = createTestStore()
  const log = createRunLog()
  render(
    <ProgressProvider client={source}>
      <ConfidenceBadge runId="r1" data-testid="badge" now={() => source.clock.t} {...props} />
    </ProgressProvider>,
  )
  const badge = () => screen.getByTestId('badge')
  return { source, log, badge, shown: () => badge().querySelector('[aria-hidden]')!.textContent }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('ConfidenceBadge', () => {
  test('pending before the run appears', () => {
    const { badge } = setup()
    expect(badge().getAttribute('data-state')).toBe('pending')
    expect(badge().hasAttribute('data-confidence')).toBe(false)
  })

  test('live: high confidence, "Live"', () => {
    const { source, log, badge, shown } = setup()
    act(() => feedRunning(source, log))
    expect(badge().getAttribute('data-confidence')).toBe('high')
    expect(badge().getAttribute('data-state')).toBe('live')
    expect(shown()).toBe('Live')
  })

  test('estimated: medium, "Estimated"', () => {
    const { source, log, badge, shown } = setup()
    act(() => feedEstimated(source, log))
    expect(badge().getAttribute('data-confidence')).toBe('medium')
    expect(shown()).toBe('Estimated')
  })

  test('reconnecting: low, "Reconnecting…"', () => {
    const { source, log, badge, shown } = setup()
    act(() => feedRunning(source, log))
    act(() => source.setConnection({ status: 'reconnecting', attempts: 1 }))
    expect(badge().getAttribute('data-confidence')).toBe('low')
    expect(badge().getAttribute('data-state')).toBe('reconnecting')
    expect(shown()).toBe('Reconnecting…')
  })

  test('stale: low, "No updates for 30 sec"', () => {
    const { source, log, badge, shown } = setup()
    act(() => feedRunning(source, log))
    act(() => {
      source.clock.t += 32_000
      source.flush()
    })
    expect(badge().getAttribute('data-state')).toBe('stale')
    expect(badge().getAttribute('data-confidence')).toBe('low')
    expect(shown()).toBe('No updates for 30 sec')
  })

  test('the words move on while the silence lasts, without a new announcement', () => {
    vi.useFakeTimers()
    const { source, log, shown } = setup({ announceDelayMs: 1000 })
    act(() => feedRunning(source, log))
    act(() => {
      source.clock.t += 32_000
      source.flush()
    })
    expect(shown()).toBe('No updates for 30 sec')
    act(() => vi.advanceTimersByTime(1000))
    const status = screen.getByRole('status')
    expect(status.textContent).toBe('No updates for 30 sec')
    source.clock.t += 4_000
    act(() => vi.advanceTimersByTime(1000))
    expect(shown()).toBe('No updates for 35 sec')
    // Same reason, longer silence: not news for a screen reader.
    act(() => vi.advanceTimersByTime(5000))
    expect(status.textContent).toBe('No updates for 30 sec')
  })

  test('a flush that changes nothing it shows does not render it', () => {
    const source = createTestStore()
    const log = createRunLog()
    let renders = 0
    render(
      <ProgressProvider client={source}>
        <Profiler id="badge" onRender={() => renders++}>
          <ConfidenceBadge runId="r1" now={() => source.clock.t} />
        </Profiler>
      </ProgressProvider>,
    )
    act(() => feedRunning(source, log))
    const before = renders
    act(() => {
      for (const done of [15, 18, 21]) {
        source.clock.t += 1000
        source.feed(log.next('phase_progress', { phase: 'search', done, total: 40 }))
      }
    })
    expect(screen.getByText('Live')).toBeTruthy()
    expect(renders).toBe(before)
  })

  test('resyncing after a hole: medium, "Catching up…"', () => {
    const { source, log, badge, shown } = setup()
    act(() => source.feed(log.next('run_started', { plan: PLAN })))
    log.next('phase_started', { phase: 'plan' }) // lost on the way
    act(() => source.feed(log.next('phase_progress', { phase: 'plan', done: 1, total: 2 })))
    // A young hole is a reorder about to fill; past the grace it is catching up.
    expect(badge().getAttribute('data-state')).toBe('live')
    act(() => {
      source.clock.t += 300
      source.flush()
    })
    expect(badge().getAttribute('data-state')).toBe('resyncing')
    expect(badge().getAttribute('data-confidence')).toBe('medium')
    expect(shown()).toBe('Catching up…')
  })

  test('final: the run status in words', () => {
    const done = setup()
    act(() => feedCompleted(done.source, done.log))
    expect(done.badge().getAttribute('data-state')).toBe('final')
    expect(done.shown()).toBe('Completed')
  })

  test('failed runs say "Failed"', () => {
    const { source, log, shown, badge } = setup()
    act(() => feedFailed(source, log))
    expect(shown()).toBe('Failed')
    expect(badge().getAttribute('data-status')).toBe('failed')
  })

  test('announces politely, only after the reason has held, and not a flap', () => {
    vi.useFakeTimers()
    const { source, log, shown } = setup({ announceDelayMs: 1000 })
    act(() => feedRunning(source, log))
    const status = screen.getByRole('status')
    expect(status.getAttribute('aria-live')).toBe('polite')
    act(() => vi.advanceTimersByTime(1000))
    expect(status.textContent).toBe('Live')

    // A blip shorter than the delay is never read out.
    act(() => source.setConnection({ status: 'reconnecting' }))
    expect(shown()).toBe('Reconnecting…')
    act(() => vi.advanceTimersByTime(500))
    act(() => source.setConnection({ status: 'open' }))
    act(() => vi.advanceTimersByTime(2000))
    expect(status.textContent).toBe('Live')

    act(() => source.setConnection({ status: 'reconnecting' }))
    act(() => vi.advanceTimersByTime(999))
    expect(status.textContent).toBe('Live')
    act(() => vi.advanceTimersByTime(1))
    expect(status.textContent).toBe('Reconnecting…')
  })

  test('waiting: a run the hub has not started yet, high and calm, "Waiting for the job to start"', () => {
    const { source, badge, shown } = setup()
    act(() =>
      source.feed(JSON.stringify({ v: 1, type: 'subscribed', run: 'r1', head: 0, heartbeatMs: 1000 })),
    )
    expect(badge().getAttribute('data-state')).toBe('waiting')
    expect(badge().getAttribute('data-confidence')).toBe('high')
    expect(badge().getAttribute('data-status')).toBe('pending')
    expect(shown()).toBe('Waiting for the job to start')
  })

  test('producer silent: medium, "No progress for 45 sec" from the hub idle, and back on the next event', () => {
    const { source, log, badge, shown } = setup()
    act(() => feedRunning(source, log))
    const head = JSON.parse(log.heartbeat()).head as number
    act(() => {
      source.clock.t += 45_000
      source.feed(
        JSON.stringify({ v: 1, type: 'heartbeat', run: 'r1', epoch: 'e1', head, ts: 99_000, idle: 45_000 }),
      )
    })
    expect(badge().getAttribute('data-state')).toBe('producer_silent')
    expect(badge().getAttribute('data-confidence')).toBe('medium')
    expect(shown()).toBe('No progress for 45 sec')
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 13, total: 40 }, 99_500)))
    expect(shown()).toBe('Live')
  })

  test('restarted: "Restarted", read out politely once, then as usual', () => {
    vi.useFakeTimers()
    const { source, log, badge, shown } = setup({ announceDelayMs: 1000 })
    act(() => feedRunning(source, log))
    act(() => vi.advanceTimersByTime(1000))
    const restarted = createRunLog('r1', 'e2')
    act(() => source.feed(restarted.next('run_started', { plan: PLAN })))
    expect(badge().getAttribute('data-state')).toBe('restarted')
    expect(shown()).toBe('Restarted')
    const status = screen.getByRole('status')
    act(() => vi.advanceTimersByTime(1000))
    expect([status.textContent, status.getAttribute('aria-live')]).toEqual(['Restarted', 'polite'])
    act(() => {
      source.clock.t += 10_000
      source.feed(restarted.next('phase_started', { phase: 'plan' }))
      source.feed(restarted.next('phase_progress', { phase: 'plan', done: 1, total: 4 }))
    })
    expect(shown()).toBe('Live')
  })

  test('labels override the words', () => {
    const { source, log, shown } = setup({ labels: { confidence: { live: 'Up to date' } } })
    act(() => feedRunning(source, log))
    expect(shown()).toBe('Up to date')
  })
})

describe('ConfidenceBadge on a page of runs', () => {
  test('a dropped connection is read out by one badge per source; the others update their words silently', () => {
    vi.useFakeTimers()
    const source = createTestStore()
    const logs = ['r1', 'r2', 'r3'].map((run) => createRunLog(run))
    render(
      <ProgressProvider client={source}>
        {['r1', 'r2', 'r3'].map((run) => (
          <ConfidenceBadge key={run} runId={run} announceDelayMs={1000} now={() => source.clock.t} />
        ))}
      </ProgressProvider>,
    )
    act(() => {
      for (const log of logs) feedRunning(source, log)
    })
    act(() => vi.advanceTimersByTime(1000))
    const regions = screen.getAllByRole('status')
    expect(regions.map((r) => [r.textContent, r.getAttribute('aria-live')])).toEqual([
      ['Live', 'polite'],
      ['Live', 'polite'],
      ['Live', 'polite'],
    ])
    act(() => source.setConnection({ status: 'reconnecting', attempts: 1 }))
    act(() => vi.advanceTimersByTime(1000))
    expect(regions.map((r) => [r.textContent, r.getAttribute('aria-live')])).toEqual([
      ['Reconnecting…', 'polite'],
      ['Reconnecting…', 'off'],
      ['Reconnecting…', 'off'],
    ])
    // The return is the same news again: the voice says it, the others update silently.
    act(() => source.setConnection({ status: 'open' }))
    act(() => vi.advanceTimersByTime(1000))
    expect(regions.map((r) => [r.textContent, r.getAttribute('aria-live')])).toEqual([
      ['Live', 'polite'],
      ['Live', 'off'],
      ['Live', 'off'],
    ])
    // News about one run is that badge's own to say.
    act(() => source.feed(logs[1]!.next('run_completed')))
    act(() => vi.advanceTimersByTime(1000))
    expect([regions[1]!.textContent, regions[1]!.getAttribute('aria-live')]).toEqual(['Completed', 'polite'])
    // The next drop picks its voice afresh, and gets one.
    act(() => source.setConnection({ status: 'reconnecting', attempts: 1 }))
    act(() => vi.advanceTimersByTime(1000))
    expect(
      regions.filter((r) => r.getAttribute('aria-live') === 'polite' && r.textContent === 'Reconnecting…'),
    ).toHaveLength(1)
  })

  test('a badge whose run is over is no voice for the connection: the next one says it', () => {
    vi.useFakeTimers()
    const source = createTestStore()
    const [done, live] = ['r1', 'r2'].map((run) => createRunLog(run))
    render(
      <ProgressProvider client={source}>
        <ConfidenceBadge runId="r1" announceDelayMs={1000} now={() => source.clock.t} />
        <ConfidenceBadge runId="r2" announceDelayMs={1000} now={() => source.clock.t} />
      </ProgressProvider>,
    )
    act(() => {
      feedCompleted(source, done!)
      feedRunning(source, live!)
    })
    act(() => source.setConnection({ status: 'reconnecting', attempts: 1 }))
    act(() => vi.advanceTimersByTime(1000))
    const [first, second] = screen.getAllByRole('status')
    expect(first!.textContent).toBe('Completed')
    expect([second!.textContent, second!.getAttribute('aria-live')]).toEqual(['Reconnecting…', 'polite'])
  })
})
