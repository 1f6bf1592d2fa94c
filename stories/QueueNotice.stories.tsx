import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { QueueNotice } from '../src/react/index'
import { queued, RUN, researchSearching, type Scenario, scenario } from './support/scenarios'
import { WithScenario } from './support/WithScenario'

const meta = {
  title: 'Components/QueueNotice',
  component: QueueNotice,
  args: { runId: RUN },
} satisfies Meta<typeof QueueNotice>
export default meta
type Story = StoryObj<typeof meta>

const on = (make: () => Scenario): Story['decorators'] => [
  (Story) => <WithScenario make={make}>{Story()}</WithScenario>,
]

export const ThreeAhead: Story = {
  decorators: on(() => scenario(queued(3))),
  play: async ({ canvasElement }) => {
    const notice = within(canvasElement).getByRole('status')
    await expect(notice).toHaveTextContent('Waiting: 3 runs ahead')
    await expect(notice).toHaveAttribute('data-position', '3')
  },
}

export const NextInLine: Story = {
  decorators: on(() => scenario(queued(0))),
  play: async ({ canvasElement }) => {
    await expect(within(canvasElement).getByRole('status')).toHaveTextContent('Waiting: next in line')
  },
}

export const NotQueued: Story = {
  decorators: on(() => scenario(researchSearching())),
  play: async ({ canvasElement }) => {
    // A running run has nothing to wait for: the notice is gone, not empty.
    await expect(within(canvasElement).queryByRole('status')).toBeNull()
  },
}

export const Translated: Story = {
  args: {
    locale: 'fr-FR',
    labels: { queued: (ahead, n) => (ahead === 0 ? 'Vous êtes le suivant' : `En attente : ${n} avant vous`) },
  },
  decorators: on(() => scenario(queued(1200))),
  play: async ({ canvasElement }) => {
    // French groups thousands with a narrow no-break space.
    await expect(within(canvasElement).getByRole('status').textContent).toMatch(
      /^En attente : 1\s200 avant vous$/,
    )
  },
}
