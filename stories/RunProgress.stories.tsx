import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { RunProgress } from '../src/react/index'
import {
  chattyAgent,
  completedWithOpenPhase,
  queued,
  RUN,
  researchAnalysing,
  researchCompleted,
  researchFailed,
  researchSearching,
  scenario,
  waitingForAgentSlot,
  writeLog,
} from './support/scenarios'
import { WithScenario, type WithScenarioProps } from './support/WithScenario'

const meta = {
  title: 'RunProgress',
  component: RunProgress,
  args: { runId: RUN, reducedMotion: true },
} satisfies Meta<typeof RunProgress>
export default meta
type Story = StoryObj<typeof meta>

const on = (props: Omit<WithScenarioProps, 'children'>): Story['decorators'] => [
  (Story) => <WithScenario {...props}>{Story()}</WithScenario>,
]
const view = (canvas: HTMLElement) => {
  const c = within(canvas)
  return {
    section: c.getByRole('region'),
    bar: c.getByRole('progressbar'),
    badge: canvas.querySelector('.lp-badge [aria-hidden="true"]')?.textContent,
  }
}

export const Pending: Story = {
  decorators: on({ make: () => scenario(null) }),
  play: async ({ canvasElement }) => {
    const { section, bar, badge } = view(canvasElement)
    await expect(section).toHaveAccessibleName('Run')
    await expect(section).toHaveAttribute('data-state', 'pending')
    await expect(bar).not.toHaveAttribute('aria-valuenow')
    await expect(badge).toBe('Waiting for updates…')
  },
}

export const Queued: Story = {
  decorators: on({ make: () => scenario(queued(2)) }),
  play: async ({ canvasElement }) => {
    const { section, bar } = view(canvasElement)
    await expect(section).toHaveAccessibleName('Market scan: solid-state batteries')
    await expect(within(canvasElement).getByText('Waiting: 2 runs ahead')).toBeVisible()
    await expect(bar).toHaveAttribute('aria-valuenow', '0')
    await expect(bar).toHaveAttribute('aria-valuetext', 'Waiting: 2 runs ahead')
    await expect(canvasElement.querySelector('.lp-value')).toBeNull()
  },
}

export const Searching: Story = {
  decorators: on({ make: () => scenario(researchSearching()) }),
  play: async ({ canvasElement }) => {
    const { section, bar, badge } = view(canvasElement)
    await expect(section).toHaveAttribute('data-state', 'running')
    await expect(bar).toHaveAttribute('aria-valuenow', '26')
    await expect(badge).toBe('Live')
    // Sighted people see the bar's percent too; screen readers hear it once, from the bar.
    const value = canvasElement.querySelector('.lp-value')!
    await expect(value).toBeVisible()
    await expect(value.textContent).toMatch(/^26%/)
    await expect(value).toHaveAttribute('aria-hidden', 'true')
  },
}

export const AgentEstimating: Story = {
  decorators: on({ make: () => scenario(researchAnalysing(), { laterMs: 6_000 }) }),
  play: async ({ canvasElement }) => {
    const { bar, badge } = view(canvasElement)
    const value = Number(bar.getAttribute('aria-valuenow'))
    // Confirmed 8/12 of the weight; the estimate creeps toward 10/12 and stays below it.
    await expect(value).toBeGreaterThan(67)
    await expect(value).toBeLessThan(83)
    await expect(badge).toBe('Estimated')
    await expect(within(canvasElement).getByText(/cross_check running/)).toBeVisible()
  },
}

export const Reconnecting: Story = {
  decorators: on({ make: () => scenario(researchSearching(), { connection: 'reconnecting' }) }),
  play: async ({ canvasElement }) => {
    const { section, bar, badge } = view(canvasElement)
    // The bar keeps what it knew; the badge says it may be behind.
    await expect(bar).toHaveAttribute('aria-valuenow', '26')
    await expect(section).toHaveAttribute('data-confidence', 'low')
    await expect(badge).toBe('Reconnecting…')
  },
}

export const Stale: Story = {
  decorators: on({ make: () => scenario(researchSearching(), { laterMs: 40_000 }) }),
  play: async ({ canvasElement }) => {
    await expect(view(canvasElement).badge).toMatch(/^No updates for 40\s?sec/)
  },
}

export const Resyncing: Story = {
  decorators: on({
    make: () =>
      scenario(
        researchSearching()
          .lose(2)
          .event('task_progress', { phase: 'search', task: 'news', done: 5, total: 5 }),
        // Open for longer than the grace (250 ms), so the badge says so.
        { laterMs: 400 },
      ),
  }),
  play: async ({ canvasElement }) => {
    const { bar, badge } = view(canvasElement)
    // Nothing is applied across the hole: the bar waits at what is certain.
    await expect(bar).toHaveAttribute('aria-valuenow', '26')
    await expect(badge).toBe('Catching up…')
  },
}

export const Completed: Story = {
  decorators: on({ make: () => scenario(researchCompleted()) }),
  play: async ({ canvasElement }) => {
    const { section, bar, badge } = view(canvasElement)
    await expect(section).toHaveAttribute('data-state', 'completed')
    await expect(bar).toHaveAttribute('aria-valuenow', '100')
    await expect(badge).toBe('Completed')
  },
}

export const Failed: Story = {
  decorators: on({ make: () => scenario(researchFailed()) }),
  play: async ({ canvasElement }) => {
    const { section, bar } = view(canvasElement)
    await expect(section).toHaveAttribute('data-state', 'failed')
    await expect(within(canvasElement).getByRole('alert')).toHaveTextContent(
      'Could not read the search results. Nothing was charged.',
    )
    await expect(bar).toHaveAttribute('data-state', 'failed')
  },
}

const stepsOf = (canvas: HTMLElement) =>
  within(within(canvas).getByRole('list', { name: 'Steps' })).getAllByRole('listitem')
const feedOf = (canvas: HTMLElement) =>
  within(within(canvas).getByRole('list', { name: 'Activity' })).getAllByRole('listitem')

export const ChattyAgent: Story = {
  name: 'Chatty agent',
  decorators: on({ make: () => scenario(chattyAgent(300), { laterMs: 2_000 }) }),
  play: async ({ canvasElement }) => {
    // 300 thinking lines and a list that keeps 200: the agent's start and its open call are still there, first.
    const rows = feedOf(canvasElement)
    await expect(rows[0]).toHaveTextContent('analyst started')
    await expect(rows[0]).toBeVisible()
    await expect(rows[1]).toHaveAttribute('data-state', 'running')
    await expect(rows[1]!.textContent).toMatch(/^patent_search running · \d+ sec$/)
    await expect(rows[1]).toBeVisible()
    await expect(rows.at(-1)).toHaveTextContent('analyst: Claim 300: comparing with the prior art')
    // The newest 50 lines after them; the rest behind the button.
    await expect(rows).toHaveLength(52)
    await expect(within(canvasElement).getByRole('button', { name: 'Show 50 earlier' })).toBeVisible()
    await expect(canvasElement.querySelector('.lp-agents')).toHaveTextContent('Agents: 1 working')
  },
}

export const CompletedWithOpenPhase: Story = {
  name: 'Completed with an open phase',
  decorators: on({ make: () => scenario(completedWithOpenPhase()) }),
  play: async ({ canvasElement }) => {
    const { section, bar, badge } = view(canvasElement)
    await expect(section).toHaveAttribute('data-state', 'completed')
    await expect(bar).toHaveAttribute('aria-valuetext', 'Completed, 100%')
    await expect(badge).toBe('Completed')
    // The end closed the phase the producer left open: nothing is current, nothing "In progress".
    const steps = stepsOf(canvasElement)
    await expect(steps.every((step) => step.getAttribute('data-state') !== 'active')).toBe(true)
    await expect(canvasElement.querySelector('[aria-current]')).toBeNull()
    await expect(within(canvasElement).queryByText(/In progress/)).toBeNull()
    await expect(steps[3]).toHaveAttribute('data-interrupted')
    // Its open call and agent ended as interrupted, with how long they had run.
    const interrupted = feedOf(canvasElement).filter(
      (row) => row.getAttribute('data-state') === 'interrupted',
    )
    await expect(interrupted.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/^analyst interrupted after \d+(\.\d)? sec$/),
      expect.stringMatching(/^cross_check interrupted after \d+(\.\d)? sec$/),
    ])
    await expect(within(canvasElement).queryByText(/running/)).toBeNull()
    await expect(canvasElement.querySelector('.lp-agents')).toHaveTextContent('Agents: 1 failed')
  },
}

export const WaitingForAgentSlot: Story = {
  name: 'Waiting for an agent slot',
  decorators: on({ make: () => scenario(waitingForAgentSlot()) }),
  play: async ({ canvasElement }) => {
    const { section, bar } = view(canvasElement)
    await expect(section).toHaveAttribute('data-state', 'queued')
    const notice = canvasElement.querySelector('.lp-queue')
    await expect(notice).toHaveAttribute('data-again')
    await expect(notice).toHaveTextContent('Waiting for a free agent slot: 2 ahead · about 45 sec left')
    // What the run reached still stands: the bar, its value text and the visible percent.
    await expect(bar).toHaveAttribute('aria-valuenow', '42')
    await expect(bar).toHaveAttribute(
      'aria-valuetext',
      '42%, Waiting for a free agent slot: 2 ahead · about 45 sec left',
    )
    await expect(canvasElement.querySelector('.lp-value')?.textContent).toMatch(/^42%/)
    await expect(stepsOf(canvasElement)[1]).toHaveAttribute('data-state', 'done')
  },
}

const MANY_LONG: [string, string, number][] = Array.from({ length: 16 }, (_, i) => [
  `step-${i + 1}`,
  i % 3 === 0
    ? `Step ${i + 1}: reconciling the purchase orders, delivery notes and bank statements of every subsidiary`
    : `Step ${i + 1}`,
  1 + (i % 4),
])

export const ManyPhasesLongLabels: Story = {
  decorators: on({
    make: () => {
      const log = writeLog().start(
        MANY_LONG,
        'Quarter-end close for Northwind Traders International Holdings, all subsidiaries, all currencies',
      )
      for (const [id] of MANY_LONG.slice(0, 11)) {
        log.event('phase_started', { phase: id }, 400).event('phase_completed', { phase: id }, 2_000)
      }
      log
        .event('phase_started', { phase: 'step-12' })
        .event('phase_progress', { phase: 'step-12', done: 7, total: 9 })
      return scenario(log)
    },
  }),
  play: async ({ canvasElement }) => {
    const steps = within(within(canvasElement).getByRole('list', { name: 'Steps' })).getAllByRole('listitem')
    await expect(steps).toHaveLength(16)
    await expect(steps[11]).toHaveAttribute('aria-current', 'step')
    // Nothing spills out of the card, however long the words.
    const card = view(canvasElement).section.getBoundingClientRect()
    for (const step of steps)
      await expect(step.getBoundingClientRect().right).toBeLessThanOrEqual(card.right + 1)
  },
}

export const RightToLeft: Story = {
  name: 'Right-to-left (Hebrew)',
  decorators: on({
    make: () => scenario(researchSearching()),
    dir: 'rtl',
    locale: 'he-IL',
    labels: {
      progress: 'התקדמות',
      phases: 'שלבים',
      activity: 'פעילות',
      count: (done, total) => `${done} מתוך ${total}`,
      confidence: { live: 'חי' },
      phaseStatus: { done: 'הושלם', active: 'בתהליך', pending: 'ממתין' },
      tasks: (c, n) =>
        c.running > 0 ? `${n.running} מתוך ${n.total} חיפושים פעילים` : `${n.done} מתוך ${n.total}`,
      agents: (_counts, n) => `סוכנים: ${n.active} פעילים`,
      waitingAgain: (_ahead, n) => `ממתין לסוכן פנוי: ${n} לפניך`,
      interrupted: (name) => `${name} הופסק`,
      phaseStopped: 'נעצר',
    },
  }),
  play: async ({ canvasElement }) => {
    // Named by the run's title, like the region around it.
    const bar = within(canvasElement).getByRole('progressbar', { name: 'Market scan: solid-state batteries' })
    await expect(bar).toHaveAttribute('aria-valuenow', '26')
    await expect(bar.getAttribute('aria-valuetext')).toMatch(/Searching 6 sources: 21 מתוך 39/)
    await expect(view(canvasElement).badge).toBe('חי')
    await expect(canvasElement.querySelectorAll('.lp-steps__tasks')[0]).toHaveTextContent(
      '5 מתוך 6 חיפושים פעילים',
    )
    // The fill grows from the right edge in a right-to-left page: its visible part (the track clips the rest of
    // the full-width segment) ends at the track's right edge and covers 26% of it.
    const fill = canvasElement.querySelector('.lp-bar__fill')!.getBoundingClientRect()
    const track = canvasElement.querySelector('.lp-bar__track')!.getBoundingClientRect()
    const left = Math.max(fill.left, track.left)
    const right = Math.min(fill.right, track.right)
    await expect(Math.abs(right - track.right)).toBeLessThan(2)
    await expect((right - left) / track.width).toBeCloseTo(0.26, 1)
  },
}

export const German: Story = {
  decorators: on({
    make: () => scenario(researchSearching()),
    locale: 'de-DE',
    labels: {
      progress: 'Fortschritt',
      phases: 'Schritte',
      run: 'Auftrag',
      count: (done, total) => `${done} von ${total}`,
      confidence: { live: 'Live' },
      phaseStatus: { done: 'Fertig', active: 'Läuft', pending: 'Wartet' },
      valueText: (p) =>
        [p.phase ? `${p.phase}: ${p.count ?? p.percent}` : p.percent, p.eta].filter(Boolean).join(', '),
      eta: (left) => `noch etwa ${left}`,
      tasks: (c, n) =>
        c.running > 0 ? `${n.running} von ${n.total} Suchen laufen` : `${n.done} von ${n.total} fertig`,
      agents: (c, n) =>
        `Agenten: ${[c.active > 0 && `${n.active} aktiv`, c.completed > 0 && `${n.completed} fertig`, c.failed > 0 && `${n.failed} fehlgeschlagen`].filter(Boolean).join(', ')}`,
      waitingAgain: (ahead, n) =>
        `Wartet auf einen freien Agenten: ${ahead === 0 ? 'als Nächstes' : `${n} davor`}`,
      interrupted: (name, took) => `${name} abgebrochen${took ? ` nach ${took}` : ''}`,
      phaseStopped: 'Angehalten',
    },
  }),
  play: async ({ canvasElement }) => {
    const bar = within(canvasElement).getByRole('progressbar', { name: 'Market scan: solid-state batteries' })
    await expect(bar).toHaveAttribute('aria-valuenow', '26')
    await expect(bar.getAttribute('aria-valuetext')).toMatch(/^Searching 6 sources: 21 von 39/)
    await expect(within(canvasElement).getAllByText('Fertig')[0]).toBeVisible()
    await expect(canvasElement.querySelectorAll('.lp-steps__tasks')[0]).toHaveTextContent(
      '5 von 6 Suchen laufen',
    )
  },
}
