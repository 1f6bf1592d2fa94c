import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { createResearchProgressAdapter } from '../../src/client/adapters/index'
import { RunProgress } from '../../src/react/index'
import recorded from '../../test/adapters/fixtures/research_progress.json'
import { WithScenario } from '../support/WithScenario'
import { adapterScenario, shuffle } from './adapterScenario'

const RUN = 'rsch_01HZX4K7Q2V9'
const adapter = () => createResearchProgressAdapter({ plan: recorded.plan, title: 'Battery recycling rules' })

const meta = {
  title: 'Adapters/research_progress (legacy)',
  component: RunProgress,
  args: { runId: RUN, reducedMotion: true },
} satisfies Meta<typeof RunProgress>
export default meta
type Story = StoryObj<typeof meta>

const view = (canvas: HTMLElement) => ({
  bar: within(canvas).getByRole('progressbar'),
  badge: canvas.querySelector('.lp-badge [aria-hidden="true"]')?.textContent,
})

/** The recorded legacy stream, cut while sources are being read: 8 of 12. */
export const Reading: Story = {
  decorators: [
    (Story) => (
      <WithScenario make={() => adapterScenario(adapter(), recorded.messages.slice(0, 20))}>
        {Story()}
      </WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    const { bar, badge } = view(canvasElement)
    // Plan (1) and search (3) done, read (4) at 8/12, of 12: 56%.
    await expect(bar).toHaveAttribute('aria-valuenow', '56')
    // No sequence numbers: the badge never says "Live".
    await expect(badge).toBe('Unordered updates')
  },
}

/** The whole stream in a scrambled order: stale messages are refused, the bar still ends at 100%. */
export const ShuffledToCompletion: Story = {
  decorators: [
    (Story) => (
      <WithScenario make={() => adapterScenario(adapter(), shuffle(recorded.messages, 7))}>
        {Story()}
      </WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    const { bar } = view(canvasElement)
    await expect(bar).toHaveAttribute('aria-valuenow', '100')
    await expect(bar).toHaveAttribute('data-status', 'completed')
  },
}
