// @vitest-environment jsdom
import { act, fireEvent, render, screen } from '@testing-library/react'
import { ActivityFeed, type LabelsOverride, ProgressProvider } from '../../src/react/index'
import { createRunLog, createTestStore, PLAN } from './frames'

afterEach(() => {
  vi.useRealTimers()
})

type FeedProps = {
  runId?: string
  max?: number
  labels?: LabelsOverride
  expanded?: boolean
  onExpandedChange?: (expanded: boolean) => void
}

function setup(props: FeedProps = {}) {
  const source = createTestStore()
  const log = createRunLog()
  const clock = { t: 50_000 }
  const feed = (next: FeedProps) => (
    <ProgressProvider client={source}>
      <ActivityFeed runId="r1" now={() => clock.t} {...next} />
    </ProgressProvider>
  )
  const view = render(feed(props))
  source.feed(log.next('run_started', { plan: PLAN }, 0))
  /** Renders the same feed again with other props. */
  const rerender = (next: FeedProps) => view.rerender(feed(next))
  return { source, log, clock, view, rerender }
}

/** `count` thinking lines "step 1" … "step count" in `log`'s run. */
function feedSteps(
  source: ReturnType<typeof createTestStore>,
  log: ReturnType<typeof createRunLog>,
  count: number,
) {
  act(() => {
    for (let i = 1; i <= count; i++)
      source.feed(log.next('agent_thinking', { agent: 'A', text: `step ${i}` }, i))
  })
}

const entries = () => [...document.querySelectorAll('.lp-feed__item')]
const texts = () => entries().map((li) => li.textContent)

describe('ActivityFeed', () => {
  test('renders nothing without activity', () => {
    const { view } = setup()
    expect(view.container.innerHTML).toBe('')
  })

  test('agent events, thinking lines, and a running tool call with live elapsed time', () => {
    vi.useFakeTimers()
    const { source, log, clock } = setup()
    // The server's clock is 1,000 s behind ours: elapsed times must not care.
    const server = () => clock.t - 1_000_000
    act(() => source.feed(log.next('agent_started', { agent: 'Researcher' }, server())))
    clock.t += 1000
    act(() =>
      source.feed(log.next('agent_thinking', { agent: 'Researcher', text: 'Looking for sources' }, server())),
    )
    clock.t += 1000
    act(() =>
      source.feed(log.next('tool_executing', { call: 'c1', tool: 'search', agent: 'Researcher' }, server())),
    )
    expect(texts()).toEqual([
      'Researcher started',
      'Researcher: Looking for sources',
      'search running · 0 sec',
    ])
    expect(entries().map((li) => li.getAttribute('data-state'))).toEqual(['info', 'info', 'running'])
    expect(entries()[2]!.getAttribute('data-type')).toBe('tool_executing')
    expect(screen.getByRole('list', { name: 'Activity' })).toBeTruthy()
    clock.t += 13_000
    act(() => vi.advanceTimersByTime(1000))
    expect(texts()[2]).toBe('search running · 13 sec')
  })

  test('a feed mounted mid-call starts low and corrects with the next entry', () => {
    vi.useFakeTimers()
    const source = createTestStore()
    const log = createRunLog()
    const clock = { t: 500_000 }
    source.feed(
      log.next('run_started', { plan: PLAN }, 0),
      log.next('tool_executing', { call: 'c1', tool: 'search' }, 100_000),
      log.next('agent_started', { agent: 'A' }, 110_000),
    )
    // Mounted 5 s after the last entry: the call (10 s older than it) looks 10 s old instead of 15 s.
    clock.t = 500_000
    render(
      <ProgressProvider client={source}>
        <ActivityFeed runId="r1" now={() => clock.t} />
      </ProgressProvider>,
    )
    expect(texts()[0]).toBe('search running · 10 sec')
    clock.t += 1_000
    act(() => source.feed(log.next('agent_thinking', { agent: 'A', text: 'hm' }, 116_000)))
    expect(texts()[0]).toBe('search running · 16 sec')
  })

  test('a completion is paired with its call and shows how long it took; failures are marked', () => {
    const { source, log } = setup()
    act(() =>
      source.feed(
        log.next('agent_started', { agent: 'Researcher' }, 9_000),
        log.next('tool_executing', { call: 'c1', tool: 'search' }, 10_000),
        log.next('tool_executing', { call: 'c2', tool: 'fetch' }, 11_000),
        log.next('tool_completed', { call: 'c1', tool: 'search', ok: true }, 13_500),
        log.next('tool_completed', { call: 'c2', tool: 'fetch', ok: false }, 41_000),
        log.next('agent_completed', { agent: 'Researcher', ok: false }, 42_000),
      ),
    )
    expect(texts()).toEqual([
      'Researcher started',
      'search done in 3.5 sec',
      'fetch failed in 30 sec',
      'Researcher failed',
    ])
    expect(entries().map((li) => li.getAttribute('data-state'))).toEqual(['info', 'done', 'failed', 'failed'])
  })

  test('stops ticking once nothing runs', () => {
    vi.useFakeTimers()
    const { source, log } = setup()
    act(() => source.feed(log.next('agent_started', { agent: 'A' }, 44_000)))
    // The store keeps its own refresh timer while the run is live: count ours on top of it.
    const base = vi.getTimerCount()
    act(() => source.feed(log.next('tool_executing', { call: 'c1', tool: 'search' }, 45_000)))
    expect(vi.getTimerCount()).toBe(base + 1)
    expect(document.querySelector('.lp-feed')?.getAttribute('data-state')).toBe('running')
    act(() => source.feed(log.next('tool_completed', { call: 'c1', tool: 'search' }, 46_000)))
    expect(vi.getTimerCount()).toBe(base)
    expect(document.querySelector('.lp-feed')?.getAttribute('data-state')).toBe('idle')
  })

  test('a new entry renders its own row only; the rows already there are not rendered again', () => {
    const thinking = vi.fn((agent: string, text: string) => `${agent}: ${text}`)
    const { source, log } = setup({ labels: { agentThinking: thinking } })
    act(() => {
      for (let i = 1; i <= 5; i++)
        source.feed(log.next('agent_thinking', { agent: 'A', text: `step ${i}` }, i))
    })
    thinking.mockClear()
    act(() => source.feed(log.next('agent_thinking', { agent: 'A', text: 'step 6' }, 6)))
    expect(thinking.mock.calls).toEqual([['A', 'step 6']])
    // A progress frame leaves the activity alone: no row renders.
    act(() => source.feed(log.next('phase_started', { phase: 'plan' }, 7)))
    expect(thinking).toHaveBeenCalledTimes(1)
    expect(texts()).toHaveLength(6)
  })

  test('a tick re-renders the running call only, and a completion re-renders its own row', () => {
    vi.useFakeTimers()
    const thinking = vi.fn((agent: string, text: string) => `${agent}: ${text}`)
    const running = vi.fn((tool: string, elapsed: string | null) => `${tool} running · ${elapsed}`)
    const { source, log, clock } = setup({ labels: { agentThinking: thinking, toolRunning: running } })
    act(() =>
      source.feed(
        log.next('agent_thinking', { agent: 'A', text: 'plan' }, clock.t),
        log.next('tool_executing', { call: 'c1', tool: 'search' }, clock.t),
      ),
    )
    thinking.mockClear()
    running.mockClear()
    clock.t += 2_000
    act(() => vi.advanceTimersByTime(1000))
    expect(running.mock.calls).toEqual([['search', '2 sec']])
    expect(thinking).not.toHaveBeenCalled()
    act(() => source.feed(log.next('tool_completed', { call: 'c1', tool: 'search' }, clock.t + 1_000)))
    expect(texts()).toEqual(['A: plan', 'search done in 3 sec'])
    expect(thinking).not.toHaveBeenCalled()
  })

  test('long runs are capped with "Show N earlier"', () => {
    const { source, log } = setup({ max: 10 })
    act(() => {
      for (let i = 1; i <= 25; i++)
        source.feed(log.next('agent_thinking', { agent: 'A', text: `step ${i}` }, i))
    })
    expect(texts()).toHaveLength(10)
    expect(texts()[0]).toBe('A: step 16')
    fireEvent.click(screen.getByRole('button', { name: 'Show 10 earlier' }))
    expect(texts()).toHaveLength(20)
    fireEvent.click(screen.getByRole('button', { name: 'Show 5 earlier' }))
    expect(texts()).toHaveLength(25)
    expect(screen.queryByRole('button')).toBeNull()
  })

  test('everything revealed stays revealed: a new entry does not push the oldest out of sight again', () => {
    const { source, log } = setup({ max: 10 })
    feedSteps(source, log, 20)
    fireEvent.click(screen.getByRole('button', { name: 'Show 10 earlier' }))
    expect(texts()).toHaveLength(20)
    act(() => source.feed(log.next('agent_thinking', { agent: 'A', text: 'step 21' }, 21)))
    expect(texts()).toHaveLength(21)
    expect(texts()[0]).toBe('A: step 1')
    expect(screen.queryByRole('button')).toBeNull()
  })

  test('expanded controls it: true shows everything, false the newest max; the last reveal asks to expand', () => {
    const onExpandedChange = vi.fn()
    const { source, log, rerender } = setup({ max: 10, expanded: false, onExpandedChange })
    feedSteps(source, log, 15)
    expect(texts()).toHaveLength(10)
    // The last reveal is the parent's call: it is asked, and nothing changes until it answers.
    fireEvent.click(screen.getByRole('button', { name: 'Show 5 earlier' }))
    expect(onExpandedChange).toHaveBeenCalledExactlyOnceWith(true)
    expect(texts()).toHaveLength(10)
    rerender({ max: 10, expanded: true, onExpandedChange })
    expect(texts()).toHaveLength(15)
    expect(screen.queryByRole('button')).toBeNull()
    rerender({ max: 10, expanded: false, onExpandedChange })
    expect(texts()).toHaveLength(10)
    expect(texts()[0]).toBe('A: step 6')
  })

  test('uncontrolled, it tells when everything is revealed', () => {
    const onExpandedChange = vi.fn()
    const { source, log } = setup({ max: 10, onExpandedChange })
    feedSteps(source, log, 25)
    fireEvent.click(screen.getByRole('button', { name: 'Show 10 earlier' }))
    expect(onExpandedChange).not.toHaveBeenCalled()
    fireEvent.click(screen.getByRole('button', { name: 'Show 5 earlier' }))
    expect(onExpandedChange).toHaveBeenCalledExactlyOnceWith(true)
    expect(texts()).toHaveLength(25)
  })

  test('the last "Show N earlier" hands its focus to the list instead of dropping it to the page', () => {
    const { source, log } = setup({ max: 10 })
    feedSteps(source, log, 25)
    const button = screen.getByRole('button', { name: 'Show 10 earlier' })
    button.focus()
    fireEvent.click(button)
    // Something earlier remains: the button stays, and keeps focus.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Show 5 earlier' }))
    fireEvent.click(screen.getByRole('button', { name: 'Show 5 earlier' }))
    expect(screen.queryByRole('button')).toBeNull()
    const list = screen.getByRole('list', { name: 'Activity' })
    expect(document.activeElement).toBe(list)
    // Focusable from script only, and only while it holds that focus: no extra tab stop.
    expect(list.tabIndex).toBe(-1)
    act(() => list.blur())
    expect(list.hasAttribute('tabindex')).toBe(false)
  })

  test('the last "Show N earlier" clicked without taking focus leaves focus where it was', () => {
    const { source, log } = setup({ max: 10 })
    feedSteps(source, log, 15)
    fireEvent.click(screen.getByRole('button', { name: 'Show 5 earlier' }))
    expect(texts()).toHaveLength(15)
    expect(document.activeElement).toBe(document.body)
    expect(screen.getByRole('list', { name: 'Activity' }).hasAttribute('tabindex')).toBe(false)
  })

  test('a new max applies at once', () => {
    const { source, log, rerender } = setup({ max: 10 })
    feedSteps(source, log, 25)
    rerender({ max: 5 })
    expect(texts()).toEqual(['A: step 21', 'A: step 22', 'A: step 23', 'A: step 24', 'A: step 25'])
    expect(screen.getByRole('button', { name: 'Show 5 earlier' })).toBeTruthy()
    rerender({ max: 20 })
    expect(texts()).toHaveLength(20)
  })

  test('another run starts again from its newest max entries, whatever was revealed before', () => {
    const { source, log, rerender } = setup({ max: 10 })
    const other = createRunLog('r2')
    source.feed(other.next('run_started', { plan: PLAN }, 0))
    feedSteps(source, log, 25)
    feedSteps(source, other, 25)
    fireEvent.click(screen.getByRole('button', { name: 'Show 10 earlier' }))
    expect(texts()).toHaveLength(20)
    rerender({ runId: 'r2', max: 10 })
    expect(texts()).toHaveLength(10)
    fireEvent.click(screen.getByRole('button', { name: 'Show 10 earlier' }))
    // Back to the first run: what was revealed there before is not brought back either.
    rerender({ runId: 'r1', max: 10 })
    expect(texts()).toHaveLength(10)
  })

  test('a list that fits its box is named but no extra tab stop', () => {
    const { source, log } = setup()
    act(() => source.feed(log.next('agent_started', { agent: 'A' }, 1)))
    const list = screen.getByRole('list', { name: 'Activity' })
    expect(list.hasAttribute('tabindex')).toBe(false)
    expect(list.hasAttribute('data-scrollable')).toBe(false)
  })

  test('a list taller than its box takes keyboard focus, so it can be scrolled without a mouse', () => {
    // jsdom has no layout: every entry is 20 px here, in a list capped at 100 px.
    const rows = () => document.querySelectorAll('.lp-feed__item').length
    const scrollHeight = vi
      .spyOn(HTMLElement.prototype, 'scrollHeight', 'get')
      .mockImplementation(() => rows() * 20)
    const clientHeight = vi
      .spyOn(HTMLElement.prototype, 'clientHeight', 'get')
      .mockImplementation(() => Math.min(rows() * 20, 100))
    try {
      const { source, log } = setup()
      for (let i = 1; i <= 5; i++) act(() => source.feed(log.next('agent_started', { agent: `A${i}` }, i)))
      const list = screen.getByRole('list', { name: 'Activity' })
      expect(list.hasAttribute('tabindex')).toBe(false)
      act(() => source.feed(log.next('agent_started', { agent: 'A6' }, 6)))
      expect(list.tabIndex).toBe(0)
      expect(list.hasAttribute('data-scrollable')).toBe(true)
      list.focus()
      expect(document.activeElement).toBe(list)
    } finally {
      scrollHeight.mockRestore()
      clientHeight.mockRestore()
    }
  })

  test('is not a live region (no announcement per event)', () => {
    const { source, log, view } = setup()
    act(() => source.feed(log.next('agent_started', { agent: 'A' }, 1)))
    expect(view.container.querySelector('[aria-live], [role="log"], [role="status"]')).toBeNull()
  })
})
