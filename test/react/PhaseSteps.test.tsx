// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import { PhaseSteps, ProgressProvider, QueueNotice } from '../../src/react/index'
import { createRunLog, createTestStore, feedCompleted, feedFailed, feedRunning, PLAN } from './frames'

function setup(ui: (runId: string) => React.ReactNode) {
  const source = createTestStore()
  const log = createRunLog()
  const view = render(<ProgressProvider client={source}>{ui('r1')}</ProgressProvider>)
  return { source, log, view }
}

const items = () => within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem')

describe('PhaseSteps', () => {
  test('renders nothing before a plan', () => {
    const { view } = setup((id) => <PhaseSteps runId={id} />)
    expect(view.container.innerHTML).toBe('')
  })

  test('pending plan: an ordered list of pending steps', () => {
    const { source, log } = setup((id) => <PhaseSteps runId={id} />)
    act(() => source.feed(log.next('run_started', { plan: PLAN })))
    expect(screen.getByRole('list').tagName).toBe('OL')
    expect(screen.getByRole('list').getAttribute('data-state')).toBe('running')
    expect(items().map((li) => li.getAttribute('data-state'))).toEqual(['pending', 'pending', 'pending'])
    expect(items()[0]!.textContent).toBe('PlanPending')
  })

  test('running with counts: done, active with counts and duration, aria-current on the active step', () => {
    const { source, log } = setup((id) => <PhaseSteps runId={id} />)
    act(() => feedRunning(source, log))
    const [plan, search, write] = items()
    expect(plan!.getAttribute('data-state')).toBe('done')
    expect(within(plan!).getByText('Done')).toBeTruthy()
    expect(plan!.querySelector('.lp-steps__duration')?.textContent).toBe('1 sec')
    expect(search!.getAttribute('aria-current')).toBe('step')
    expect(search!.querySelector('.lp-steps__count')?.textContent).toBe('12 of 40')
    expect(within(search!).getByText('In progress')).toBeTruthy()
    expect(write!.getAttribute('data-state')).toBe('pending')
    expect(write!.hasAttribute('aria-current')).toBe(false)
  })

  test('failed and skipped steps are shown with the error', () => {
    const { source, log } = setup((id) => <PhaseSteps runId={id} />)
    act(() => feedFailed(source, log))
    const [plan, search] = items()
    expect(plan!.getAttribute('data-state')).toBe('skipped')
    expect(within(plan!).getByText('Skipped')).toBeTruthy()
    expect(search!.getAttribute('data-state')).toBe('failed')
    expect(search!.querySelector('.lp-steps__error')?.textContent).toBe('Search API down')
    expect(search!.querySelector('.lp-steps__duration')?.textContent).toBe('4 sec')
  })

  test('completed: every step done', () => {
    const { source, log } = setup((id) => <PhaseSteps runId={id} />)
    act(() => feedCompleted(source, log))
    expect(items().every((li) => li.getAttribute('data-state') === 'done')).toBe(true)
  })

  test('locale and labels format the counts and words', () => {
    const { source, log } = setup((id) => (
      <PhaseSteps
        runId={id}
        locale="de"
        labels={{ count: (d, t) => `${d}/${t}`, phaseStatus: { active: 'Läuft' } }}
      />
    ))
    act(() => {
      source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
      source.feed(log.next('phase_progress', { phase: 'search', done: 1200, total: 4000 }))
    })
    const search = items()[1]!
    expect(search.querySelector('.lp-steps__count')?.textContent).toBe('1.200/4.000')
    expect(within(search).getByText('Läuft')).toBeTruthy()
  })
})

describe('QueueNotice', () => {
  test('says how many runs are ahead while queued, and disappears once running', () => {
    const { source, log, view } = setup((id) => <QueueNotice runId={id} />)
    expect(view.container.innerHTML).toBe('')
    act(() => source.feed(log.next('run_started', { plan: PLAN }), log.next('queued', { position: 3 })))
    const notice = screen.getByRole('status')
    expect(notice.textContent).toBe('Waiting: 3 runs ahead')
    expect(notice.getAttribute('data-state')).toBe('queued')
    expect(notice.getAttribute('data-position')).toBe('3')
    act(() => source.feed(log.next('queued', { position: 1 })))
    expect(screen.getByRole('status').textContent).toBe('Waiting: 1 run ahead')
    act(() => source.feed(log.next('queued', { position: 0 })))
    expect(screen.getByRole('status').textContent).toBe('Waiting: next in line')
    act(() => source.feed(log.next('phase_started', { phase: 'plan' })))
    expect(view.container.innerHTML).toBe('')
  })

  test('labels and locale reword it', () => {
    const { source, log } = setup((id) => (
      <QueueNotice runId={id} locale="ar-EG" labels={{ queued: (_n, text) => `${text} قبلك` }} />
    ))
    act(() => source.feed(log.next('queued', { position: 12 })))
    expect(screen.getByRole('status').textContent).toBe('١٢ قبلك')
  })
})
