import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import { ActivityFeed } from '../src/react/index'
import {
  RUN,
  researchAnalysing,
  researchCompleted,
  type Scenario,
  scenario,
  writeLog,
} from './support/scenarios'
import { WithScenario } from './support/WithScenario'

const meta = {
  title: 'Components/ActivityFeed',
  component: ActivityFeed,
  args: { runId: RUN },
} satisfies Meta<typeof ActivityFeed>
export default meta
type Story = StoryObj<typeof meta>

const on = (make: () => Scenario): Story['decorators'] => [
  (Story) => <WithScenario make={make}>{Story()}</WithScenario>,
]
/** The list is a tab stop exactly when it scrolls (taller than --lp-feed-height). */
const tabStopWhenScrolling = async (canvas: HTMLElement) => {
  const list = within(canvas).getByRole('list', { name: 'Activity' })
  await expect(list.hasAttribute('tabindex')).toBe(list.scrollHeight > list.clientHeight)
}

const items = (canvas: HTMLElement) =>
  within(within(canvas).getByRole('list', { name: 'Activity' })).getAllByRole('listitem')

export const AgentWorking: Story = {
  decorators: on(() => scenario(researchAnalysing(), { laterMs: 3_000 })),
  play: async ({ canvasElement }) => {
    const all = items(canvasElement)
    await expect(all.map((item) => item.getAttribute('data-state'))).toEqual([
      'info',
      'info',
      'done',
      'info',
      'running',
    ])
    await expect(all[1]).toHaveTextContent('analyst: Comparing energy densities across 14 cells')
    // The running call shows how long it has been running; the finished one how long it took.
    await expect(all[4]!.textContent).toMatch(/^cross_check running · \d+ sec$/)
    await expect(all[2]!.textContent).toMatch(/^table_extract done in \d+(\.\d+)? sec$/)
  },
}

export const Finished: Story = {
  decorators: on(() => scenario(researchCompleted())),
  play: async ({ canvasElement }) => {
    const last = items(canvasElement).at(-1)!
    await expect(last).toHaveTextContent('analyst finished')
    await expect(within(canvasElement).queryByText(/running/)).toBeNull()
    await tabStopWhenScrolling(canvasElement)
  },
}

export const FailedTool: Story = {
  decorators: on(() =>
    scenario(
      writeLog()
        .start([['work', 'Working', 1]])
        .event('phase_started', { phase: 'work' })
        .event('agent_started', { agent: 'scraper' })
        .event('tool_executing', { call: 'x1', tool: 'fetch_page', agent: 'scraper' })
        .event('tool_completed', { call: 'x1', tool: 'fetch_page', agent: 'scraper', ok: false }, 4_000)
        .event('agent_completed', { agent: 'scraper', ok: false }),
    ),
  ),
  play: async ({ canvasElement }) => {
    const failed = items(canvasElement).filter((item) => item.getAttribute('data-state') === 'failed')
    await expect(failed).toHaveLength(2)
    await expect(failed[0]).toHaveTextContent('fetch_page failed')
    await expect(failed[1]).toHaveTextContent('scraper failed')
    // Three rows fit: the list scrolls nothing, so it is no extra tab stop.
    const list = within(canvasElement).getByRole('list', { name: 'Activity' })
    await expect(list.scrollHeight).toBe(list.clientHeight)
    await expect(list).not.toHaveAttribute('tabindex')
  },
}

export const LongRunCapped: Story = {
  args: { max: 20 },
  decorators: on(() => {
    const log = writeLog()
      .start([['crawl', 'Crawling', 1]])
      .event('phase_started', { phase: 'crawl' })
    for (let i = 1; i <= 55; i++)
      log.event('agent_thinking', { agent: 'crawler', text: `Visited page ${i}` }, 200)
    return scenario(log)
  }),
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await expect(items(canvasElement)).toHaveLength(20)
    await expect(items(canvasElement)[0]).toHaveTextContent('crawler: Visited page 36')
    await userEvent.click(canvas.getByRole('button', { name: 'Show 20 earlier' }))
    await expect(items(canvasElement)).toHaveLength(40)
    await userEvent.click(canvas.getByRole('button', { name: 'Show 15 earlier' }))
    await expect(items(canvasElement)).toHaveLength(55)
    await expect(canvas.queryByRole('button')).toBeNull()
    // The last reveal took its button away: focus went to the list, not to the page.
    const list = canvas.getByRole('list', { name: 'Activity' })
    await expect(list).toHaveFocus()
    // The list scrolls (styles.css caps its height): a keyboard user can come back to it and scroll it.
    await expect(list.scrollHeight).toBeGreaterThan(list.clientHeight)
    await tabStopWhenScrolling(canvasElement)
    list.blur()
    await userEvent.tab()
    await expect(list).toHaveFocus()
  },
}

export const NothingYet: Story = {
  decorators: on(() => scenario(writeLog().start([['work', 'Working', 1]]))),
  play: async ({ canvasElement }) => {
    // No agent or tool events: no empty list either.
    await expect(within(canvasElement).queryByRole('list')).toBeNull()
  },
}
