// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react'
import {
  ActivityFeed,
  AgentCount,
  type LabelsOverride,
  PhaseSteps,
  ProgressBar,
  ProgressProvider,
  ProgressValue,
  QueueNotice,
  RunProgress,
} from '../../src/react/index'
import { createRunLog, createTestStore, PLAN } from './frames'

/** What people see of the v1.1 agent-event rules: task and agent counts, a finished run, the queue mid-run. */

function setup(ui: (runId: string) => React.ReactNode) {
  const source = createTestStore()
  const log = createRunLog()
  render(<ProgressProvider client={source}>{ui('r1')}</ProgressProvider>)
  return { source, log }
}

const searches: LabelsOverride['tasks'] = (c, n, phase) =>
  phase === 'search' && c.running > 0
    ? `${n.running} of ${n.total} searches running`
    : `${n.done} of ${n.total} done`
const steps = () => within(screen.getByRole('list', { name: 'Steps' })).getAllByRole('listitem')

describe('task and agent counts', () => {
  test('PhaseSteps says how many of the announced tasks run', () => {
    const { source, log } = setup((id) => <PhaseSteps runId={id} labels={{ tasks: searches }} />)
    act(() =>
      source.feed(
        log.next('run_started', { plan: PLAN }),
        log.next('phase_started', { phase: 'search', tasks: 6 }),
      ),
    )
    expect(steps()[1]!.querySelector('.lp-steps__tasks')?.textContent).toBe('0 of 6 done')
    act(() => {
      for (const [task, done, total] of [
        ['a', 1, 3],
        ['b', 0, 2],
        ['c', 2, 2],
        ['d', 1, 5],
      ] as const)
        source.feed(log.next('task_progress', { phase: 'search', task, done, total }))
    })
    const tasks = steps()[1]!.querySelector('.lp-steps__tasks')!
    expect(tasks.textContent).toBe('3 of 6 searches running')
    expect(tasks.getAttribute('data-running')).toBe('3')
    // The default words.
    expect(steps()[0]!.querySelector('.lp-steps__tasks')).toBeNull()
  })

  test('AgentCount counts agents working, done and failed; nothing before the first agent', () => {
    const { source, log } = setup((id) => <AgentCount runId={id} data-testid="agents" />)
    act(() => source.feed(log.next('run_started', { plan: PLAN })))
    expect(screen.queryByTestId('agents')).toBeNull()
    act(() =>
      source.feed(
        log.next('agent_started', { agent: 'a' }),
        log.next('agent_started', { agent: 'b' }),
        log.next('agent_started', { agent: 'c' }),
        log.next('agent_completed', { agent: 'c', ok: false }),
      ),
    )
    const line = screen.getByTestId('agents')
    expect(line.textContent).toBe('Agents: 2 working, 1 failed')
    expect(line.getAttribute('data-active')).toBe('2')
  })
})

describe('a finished run shows nothing in progress', () => {
  function completedWithOpenPhase(
    source: ReturnType<typeof createTestStore>,
    log: ReturnType<typeof createRunLog>,
  ) {
    source.feed(
      log.next('run_started', { plan: PLAN, title: 'Report' }),
      log.next('phase_started', { phase: 'plan' }),
      log.next('phase_completed', { phase: 'plan' }),
      log.next('phase_started', { phase: 'search' }, 3_000),
      log.next('phase_progress', { phase: 'search', done: 5, total: 5 }),
      log.next('agent_started', { agent: 'writer' }, 4_000),
      log.next('tool_executing', { call: 'c1', tool: 'web_search', agent: 'writer' }, 5_000),
      log.next('run_completed', {}, 9_000),
    )
  }

  test('RunProgress: no current step, no "In progress", the open call interrupted, the agent counted failed', () => {
    const { source, log } = setup((id) => <RunProgress runId={id} reducedMotion />)
    act(() => completedWithOpenPhase(source, log))
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('Completed, 100%')
    expect(document.querySelector('[aria-current]')).toBeNull()
    expect(screen.queryByText(/In progress/)).toBeNull()
    expect(steps()[1]!.getAttribute('data-state')).toBe('done')
    expect(steps()[1]!.hasAttribute('data-interrupted')).toBe(true)
    const feed = within(screen.getByRole('list', { name: 'Activity' })).getAllByRole('listitem')
    expect(feed.map((li) => li.getAttribute('data-state'))).toEqual(['interrupted', 'interrupted'])
    expect(feed[1]!.textContent).toBe('web_search interrupted after 4 sec')
    expect(screen.queryByText(/running/)).toBeNull()
    expect(document.querySelector('.lp-agents')?.textContent).toBe('Agents: 1 failed')
  })

  test('a cancelled run says its active phase stopped, not skipped', () => {
    const { source, log } = setup((id) => <PhaseSteps runId={id} />)
    act(() =>
      source.feed(
        log.next('run_started', { plan: PLAN }),
        log.next('phase_skipped', { phase: 'plan' }),
        log.next('phase_progress', { phase: 'search', done: 2, total: 8 }),
        log.next('run_cancelled'),
      ),
    )
    expect(within(steps()[0]!).getByText('Skipped')).toBeTruthy()
    expect(within(steps()[1]!).getByText('Stopped')).toBeTruthy()
    expect(steps()[1]!.getAttribute('data-state')).toBe('skipped')
  })
})

describe('chatter never hides open work', () => {
  test('ActivityFeed keeps running agents and calls in sight past its newest `max` entries', () => {
    const { source, log } = setup((id) => <ActivityFeed runId={id} max={5} />)
    act(() => {
      source.feed(
        log.next('run_started', { plan: PLAN }),
        log.next('agent_started', { agent: 'crawler' }),
        log.next('tool_executing', { call: 'c1', tool: 'fetch_page', agent: 'crawler' }),
      )
      for (let i = 0; i < 300; i++)
        source.feed(log.next('agent_thinking', { agent: 'crawler', text: `page ${i}` }))
    })
    const rows = within(screen.getByRole('list', { name: 'Activity' })).getAllByRole('listitem')
    expect(rows.map((li) => li.textContent)).toEqual([
      'crawler started',
      expect.stringMatching(/^fetch_page running/),
      'crawler: page 295',
      'crawler: page 296',
      'crawler: page 297',
      'crawler: page 298',
      'crawler: page 299',
    ])
    // The store keeps 200 entries: the two open ones and the newest 198 lines; 193 are behind the button.
    expect(screen.getByRole('button').textContent).toBe('Show 5 earlier')
  })
})

describe('the queue in the middle of a run', () => {
  test('waiting for an agent slot: the notice, the bar and the visible value keep what the run reached', () => {
    const { source, log } = setup((id) => (
      <>
        <QueueNotice runId={id} />
        <ProgressBar runId={id} reducedMotion />
        <ProgressValue runId={id} data-testid="value" />
      </>
    ))
    act(() =>
      source.feed(
        log.next('run_started', { plan: PLAN }),
        log.next('phase_started', { phase: 'plan' }),
        log.next('phase_completed', { phase: 'plan' }),
        log.next('queued', { position: 2, etaMs: 30_000 }),
      ),
    )
    const notice = screen.getByRole('status')
    expect(notice.textContent).toBe('Waiting for a free agent slot: 2 ahead · about 30 sec left')
    expect(notice.hasAttribute('data-again')).toBe(true)
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toBe(
      '20%, Waiting for a free agent slot: 2 ahead · about 30 sec left',
    )
    expect(screen.getByTestId('value').textContent).toBe('20%')
    act(() => source.feed(log.next('phase_started', { phase: 'search' })))
    expect(screen.queryByRole('status')).toBeNull()
  })

  test('queued before it started still reads as a place in line', () => {
    const { source, log } = setup((id) => <QueueNotice runId={id} />)
    act(() => source.feed(log.next('queued', { position: 1 }), log.next('run_started', { plan: PLAN })))
    expect(screen.getByRole('status').textContent).toBe('Waiting: 1 run ahead')
    expect(screen.getByRole('status').hasAttribute('data-again')).toBe(false)
  })
})
