import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, waitFor } from 'storybook/test'
import { ConfidenceBadge } from '../src/react/index'
import {
  RUN,
  researchAnalysing,
  researchCompleted,
  researchFailed,
  researchSearching,
  type Scenario,
  scenario,
} from './support/scenarios'
import { WithScenario } from './support/WithScenario'

const meta = {
  title: 'Components/ConfidenceBadge',
  component: ConfidenceBadge,
  args: { runId: RUN },
} satisfies Meta<typeof ConfidenceBadge>
export default meta
type Story = StoryObj<typeof meta>

const on = (make: () => Scenario): Story['decorators'] => [
  (Story) => <WithScenario make={make}>{Story()}</WithScenario>,
]

/** The words a sighted person reads on the badge, and its level. */
function badge(canvas: HTMLElement) {
  const element = canvas.querySelector<HTMLElement>('.lp-badge')!
  return {
    element,
    text: element.querySelector('[aria-hidden="true"]')?.textContent,
    announced: element.querySelector('[role="status"]')?.textContent,
    confidence: element.getAttribute('data-confidence'),
  }
}

export const WaitingForFirstFrame: Story = {
  decorators: on(() => scenario(null)),
  play: async ({ canvasElement }) => {
    const { text, confidence, element } = badge(canvasElement)
    await expect(text).toBe('Waiting for updates…')
    await expect(confidence).toBeNull()
    await expect(element).toHaveAttribute('data-state', 'pending')
  },
}

export const Live: Story = {
  decorators: on(() => scenario(researchSearching())),
  play: async ({ canvasElement }) => {
    const { text, confidence } = badge(canvasElement)
    await expect(text).toBe('Live')
    await expect(confidence).toBe('high')
  },
}

export const Estimated: Story = {
  decorators: on(() => scenario(researchAnalysing(), { laterMs: 2_000 })),
  play: async ({ canvasElement }) => {
    const { text, confidence } = badge(canvasElement)
    await expect(text).toBe('Estimated')
    await expect(confidence).toBe('medium')
  },
}

export const Reconnecting: Story = {
  args: { announceDelayMs: 200 },
  decorators: on(() => scenario(researchSearching(), { connection: 'reconnecting' })),
  play: async ({ canvasElement }) => {
    const { text, confidence } = badge(canvasElement)
    await expect(text).toBe('Reconnecting…')
    await expect(confidence).toBe('low')
    // Screen readers hear it once it has held for `announceDelayMs`.
    await waitFor(() => expect(badge(canvasElement).announced).toBe('Reconnecting…'))
  },
}

export const Stale: Story = {
  decorators: on(() => scenario(researchSearching(), { laterMs: 31_000 })),
  play: async ({ canvasElement }) => {
    // No frame for longer than the heartbeat timeout (25 s): the bar may be behind, and says so.
    const { text, confidence } = badge(canvasElement)
    await expect(text).toMatch(/^No updates for 30\s?sec/)
    await expect(confidence).toBe('low')
  },
}

export const Resyncing: Story = {
  decorators: on(() =>
    scenario(
      researchSearching()
        .lose(1)
        .event('task_progress', { phase: 'search', task: 'arxiv', done: 8, total: 8 }),
      // Open for longer than the grace (250 ms): a hole that young is a reorder about to fill, not news.
      { laterMs: 400 },
    ),
  ),
  play: async ({ canvasElement }) => {
    // A hole in the log: later events wait until it is filled.
    const { text, confidence } = badge(canvasElement)
    await expect(text).toBe('Catching up…')
    await expect(confidence).toBe('medium')
  },
}

export const Completed: Story = {
  decorators: on(() => scenario(researchCompleted())),
  play: async ({ canvasElement }) => {
    const { text, confidence } = badge(canvasElement)
    await expect(text).toBe('Completed')
    await expect(confidence).toBe('high')
  },
}

export const Failed: Story = {
  decorators: on(() => scenario(researchFailed())),
  play: async ({ canvasElement }) => {
    await expect(badge(canvasElement).text).toBe('Failed')
  },
}

export const Reworded: Story = {
  args: { labels: { confidence: { live: 'Up to date' } } },
  decorators: on(() => scenario(researchSearching())),
  play: async ({ canvasElement }) => {
    await expect(badge(canvasElement).text).toBe('Up to date')
  },
}
