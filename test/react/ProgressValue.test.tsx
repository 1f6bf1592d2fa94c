// @vitest-environment jsdom
import { act, render } from '@testing-library/react'
import { createRef } from 'react'
import { ProgressProvider, ProgressValue, RunProgress } from '../../src/react/index'
import { createRunLog, createTestStore, feedCompleted, feedEstimated, feedRunning, PLAN } from './frames'

function setup(ui = <ProgressValue runId="r1" />) {
  const source = createTestStore()
  const log = createRunLog()
  const view = render(<ProgressProvider client={source}>{ui}</ProgressProvider>)
  return { source, log, value: () => view.container.querySelector('.lp-value') }
}

describe('ProgressValue', () => {
  test('says nothing before a plan exists or while the run is queued', () => {
    const { source, log, value } = setup()
    expect(value()).toBeNull()
    act(() => source.feed(log.next('run_started', { plan: PLAN }), log.next('queued', { position: 1 })))
    expect(value()).toBeNull()
  })

  test('shows the rounded displayed percent, the time left once there is an estimate, hidden from screen readers', () => {
    const { source, log, value } = setup()
    act(() => feedRunning(source, log))
    const run = source.store.getState().runs.r1!
    const percent = `${Math.round(run.displayed * 100)}%`
    expect(value()!.getAttribute('aria-hidden')).toBe('true')
    // feedRunning reports counts a second apart: enough samples for an estimate of the time left.
    expect(run.etaMs).not.toBeNull()
    expect(value()!.textContent).toMatch(new RegExp(`^${percent} · about \\d+ (sec|min) left$`))
  })

  test('flags an estimated percent and drops the time left once the run completed', () => {
    const { source, log, value } = setup()
    act(() => feedEstimated(source, log))
    expect(value()!.hasAttribute('data-estimated')).toBe(true)
    const finished = setup()
    act(() => feedCompleted(finished.source, finished.log))
    expect(finished.value()!.textContent).toBe('100%')
    expect(finished.value()!.hasAttribute('data-estimated')).toBe(false)
  })

  test('forwards its ref and props, merging className; follows the locale', () => {
    const ref = createRef<HTMLSpanElement>()
    const { source, log, value } = setup(
      <ProgressValue runId="r1" ref={ref} className="mine" data-testid="v" locale="fr" />,
    )
    act(() => feedRunning(source, log))
    expect(ref.current).toBe(value())
    expect(value()!.className).toBe('lp-value mine')
    expect(value()!.getAttribute('data-testid')).toBe('v')
    expect(value()!.textContent).toMatch(/^\d+\s%/)
  })

  test('labels.shownValue words it', () => {
    const shownValue = (percent: string, eta: string | undefined) => `${percent} done${eta ? `, ${eta}` : ''}`
    const { source, log, value } = setup(<ProgressValue runId="r1" labels={{ shownValue }} />)
    act(() => feedCompleted(source, log))
    expect(value()!.textContent).toBe('100% done')
  })

  test('RunProgress shows it next to the badge unless showValue is false', () => {
    const shown = setup(<RunProgress runId="r1" />)
    act(() => feedRunning(shown.source, shown.log))
    expect(shown.value()!.closest('.lp-run__meta')?.querySelector('.lp-badge')).toBeTruthy()
    const hidden = setup(<RunProgress runId="r1" showValue={false} />)
    act(() => feedRunning(hidden.source, hidden.log))
    expect(hidden.value()).toBeNull()
  })
})
