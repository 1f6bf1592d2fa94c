// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react'
import { ProgressBar, ProgressProvider } from '../../src/react/index'
import {
  createRunLog,
  createTestStore,
  feedCompleted,
  feedEstimated,
  feedFailed,
  feedRunning,
  PLAN,
} from './frames'

/** The percent a segment shows: full-width segments slide in by `translateX(percent − 100 %)`. */
const drawn = (bar: HTMLElement, part: 'fill' | 'estimate') => {
  const transform = bar.querySelector<HTMLElement>(`.lp-bar__${part}`)!.style.transform
  return 100 + Number.parseFloat(/^translateX\((-?[\d.e-]+)%\)$/.exec(transform)![1]!)
}

function setup() {
  const source = createTestStore()
  const log = createRunLog()
  const view = render(
    <ProgressProvider client={source}>
      <ProgressBar runId="r1" reducedMotion />
    </ProgressProvider>,
  )
  return { source, log, view, bar: () => screen.getByRole('progressbar') }
}

describe('ProgressBar', () => {
  test('is indeterminate before a plan exists: no aria-valuenow', () => {
    const { bar } = setup()
    expect(bar().getAttribute('data-state')).toBe('indeterminate')
    expect(bar().hasAttribute('aria-valuenow')).toBe(false)
    expect(bar().getAttribute('aria-valuetext')).toBe('Preparing…')
    expect(bar().getAttribute('aria-label')).toBe('Progress')
    expect(bar().querySelector('.lp-bar__indeterminate')).not.toBeNull()
  })

  test('queued with a plan: determinate at 0%', () => {
    const { source, log, bar } = setup()
    act(() => source.feed(log.next('run_started', { plan: PLAN }), log.next('queued', { position: 3 })))
    expect(bar().getAttribute('data-state')).toBe('loading')
    expect(bar().getAttribute('data-status')).toBe('queued')
    expect(bar().getAttribute('aria-valuenow')).toBe('0')
    expect(bar().getAttribute('aria-valuetext')).toBe('Waiting: 3 runs ahead')
  })

  test('a restart from scratch: the value goes down once, then never backward in the new epoch', () => {
    const { source, log, bar } = setup()
    act(() => feedRunning(source, log))
    const before = Number(bar().getAttribute('aria-valuenow'))
    expect(before).toBeGreaterThan(20)
    const again = createRunLog('r1', 'e2')
    act(() => source.feed(again.next('run_started', { plan: PLAN })))
    expect(bar().getAttribute('aria-valuenow')).toBe('0')
    act(() =>
      source.feed(
        again.next('phase_started', { phase: 'plan' }),
        again.next('phase_completed', { phase: 'plan' }),
      ),
    )
    expect(Number(bar().getAttribute('aria-valuenow'))).toBe(20)
  })

  test('queued before a plan: indeterminate, and still says its place in the queue', () => {
    const { source, log, bar } = setup()
    act(() => source.feed(log.next('queued', { position: 0 })))
    expect(bar().getAttribute('data-state')).toBe('indeterminate')
    expect(bar().getAttribute('aria-valuetext')).toBe('Waiting: next in line')
  })

  test('named "Progress" by default; a host aria-labelledby replaces that name', () => {
    const { bar } = setup()
    expect(bar().getAttribute('aria-label')).toBe('Progress')
    render(
      <ProgressProvider client={createTestStore()}>
        <h2 id="t">Quarterly report</h2>
        <ProgressBar runId="r2" aria-labelledby="t" />
      </ProgressProvider>,
    )
    const named = screen.getByRole('progressbar', { name: 'Quarterly report' })
    expect(named.hasAttribute('aria-label')).toBe(false)
  })

  test('running with counts: rounded percent and a sentence with counts and ETA', () => {
    const { source, log, bar } = setup()
    act(() => feedRunning(source, log))
    const run = source.store.getState().runs.r1!
    expect(bar().getAttribute('aria-valuenow')).toBe(String(Math.round(run.displayed * 100)))
    expect(bar().getAttribute('aria-valuemin')).toBe('0')
    expect(bar().getAttribute('aria-valuemax')).toBe('100')
    expect(run.etaMs).not.toBeNull()
    expect(bar().getAttribute('aria-valuetext')).toMatch(/^\d+%, Search: 12 of 40, about \d+ (sec|min) left$/)
    expect(bar().getAttribute('data-confidence')).toBe('high')
    expect(bar().hasAttribute('data-estimated')).toBe(false)
  })

  test('an estimate is flagged and drawn as its own segment beyond the confirmed fill', () => {
    const { source, log, bar } = setup()
    act(() => feedEstimated(source, log))
    const run = source.store.getState().runs.r1!
    expect(run.estimated).toBe(true)
    expect(run.displayed).toBeGreaterThan(run.progress)
    expect(bar().hasAttribute('data-estimated')).toBe(true)
    expect(bar().getAttribute('data-confidence')).toBe('medium')
    expect(bar().getAttribute('aria-valuetext')).toMatch(/^\d+% estimated, Plan/)
    expect(drawn(bar(), 'estimate')).toBeCloseTo(run.displayed * 100, 5)
    expect(drawn(bar(), 'fill')).toBeCloseTo(run.progress * 100, 5)
  })

  test('completed: 100 and data-state complete', () => {
    const { source, log, bar } = setup()
    act(() => feedCompleted(source, log))
    expect(bar().getAttribute('aria-valuenow')).toBe('100')
    expect(drawn(bar(), 'fill')).toBe(100)
    expect(drawn(bar(), 'estimate')).toBe(100)
    expect(bar().getAttribute('data-state')).toBe('complete')
    expect(bar().getAttribute('aria-valuetext')).toBe('Completed, 100%')
  })

  test('failed: data-state failed and the bar keeps what it had shown', () => {
    const { source, log, bar } = setup()
    act(() => feedFailed(source, log))
    expect(bar().getAttribute('data-state')).toBe('failed')
    expect(bar().getAttribute('aria-valuetext')).toMatch(/^Failed, \d+%$/)
    expect(Number(bar().getAttribute('aria-valuenow'))).toBeGreaterThan(0)
  })

  test('forwards refs and spreads unknown props after the defaults, merging className', () => {
    const source = createTestStore()
    const ref = { current: null as HTMLDivElement | null }
    render(
      <ProgressProvider client={source}>
        <ProgressBar runId="r1" ref={ref} className="mine" aria-label="Upload" data-testid="bar" id="b" />
      </ProgressProvider>,
    )
    const bar = screen.getByTestId('bar')
    expect(ref.current).toBe(bar)
    expect(bar.className).toBe('lp-bar mine')
    expect(bar.getAttribute('aria-label')).toBe('Upload')
    expect(bar.id).toBe('b')
  })

  test("uses no inline colour: only the segments' transforms are inline", () => {
    const { source, log, bar } = setup()
    act(() => feedRunning(source, log))
    for (const el of [bar(), ...bar().querySelectorAll<HTMLElement>('*')]) {
      expect(el.style.color).toBe('')
      expect(el.style.background).toBe('')
      expect(el.style.backgroundColor).toBe('')
    }
  })
})
