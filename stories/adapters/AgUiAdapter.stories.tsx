import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { createAgUiAdapter, events } from '../../src/client/adapters/index'
import { RunProgress } from '../../src/react/index'
import recorded from '../../test/adapters/fixtures/ag_ui.json'
import { WithScenario } from '../support/WithScenario'
import { adapterScenario } from './adapterScenario'

// The recorded agent reports its searches in STATE_SNAPSHOT; the app maps them to the research step's counts.
const adapter = () =>
  createAgUiAdapter({
    plan: recorded.plan,
    title: 'Agent: battery recycling brief',
    snapshot: (state, run) => {
      const s = state as { searches_done?: number; searches_total?: number }
      if (typeof s?.searches_done !== 'number' || typeof s.searches_total !== 'number') return null
      return [events.phaseProgress(run, 'research', s.searches_done, s.searches_total)]
    },
  })
const firstSnapshot = recorded.events.findIndex((event) => event.type === 'STATE_SNAPSHOT')

const meta = {
  title: 'Adapters/AG-UI',
  component: RunProgress,
  args: { runId: recorded.run, reducedMotion: true },
} satisfies Meta<typeof RunProgress>
export default meta
type Story = StoryObj<typeof meta>

/** Steps as phases, tool calls in the activity feed: cut after the first search came back. */
export const Researching: Story = {
  decorators: [
    (Story) => (
      <WithScenario make={() => adapterScenario(adapter(), recorded.events.slice(0, firstSnapshot + 1))}>
        {Story()}
      </WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    const bar = within(canvasElement).getByRole('progressbar')
    // Plan (1) done, research (3) at 1 of 3 searches, of 6: 33%.
    await expect(bar).toHaveAttribute('aria-valuenow', '33')
    await expect(canvasElement.querySelector('.lp-badge [aria-hidden="true"]')?.textContent).toBe(
      'Unordered updates',
    )
  },
}

/** The whole run: RUN_FINISHED completes it at exactly 100%. */
export const Finished: Story = {
  decorators: [
    (Story) => (
      <WithScenario make={() => adapterScenario(adapter(), recorded.events)}>{Story()}</WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    const bar = within(canvasElement).getByRole('progressbar')
    await expect(bar).toHaveAttribute('aria-valuenow', '100')
    await expect(bar).toHaveAttribute('data-status', 'completed')
  },
}
