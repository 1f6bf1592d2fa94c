import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { ProgressBar } from '../src/react/index'
import {
  queued,
  RUN,
  readingCounts,
  researchAnalysing,
  researchCompleted,
  researchFailed,
  researchSearching,
  scenario,
  writeLog,
} from './support/scenarios'
import { WithScenario } from './support/WithScenario'

const meta = {
  title: 'Components/ProgressBar',
  component: ProgressBar,
  args: { runId: RUN, reducedMotion: true },
} satisfies Meta<typeof ProgressBar>
export default meta
type Story = StoryObj<typeof meta>

const bar = (canvas: HTMLElement) => within(canvas).getByRole('progressbar')

export const Pending: Story = {
  decorators: [(Story) => <WithScenario make={() => scenario(null)}>{Story()}</WithScenario>],
  play: async ({ canvasElement }) => {
    // No plan yet: an indeterminate bar has no value, only words.
    const progress = bar(canvasElement)
    await expect(progress).not.toHaveAttribute('aria-valuenow')
    await expect(progress).toHaveAttribute('aria-valuetext', 'Preparing…')
    await expect(progress).toHaveAttribute('data-state', 'indeterminate')
  },
}

export const Queued: Story = {
  decorators: [(Story) => <WithScenario make={() => scenario(queued(3))}>{Story()}</WithScenario>],
  play: async ({ canvasElement }) => {
    const progress = bar(canvasElement)
    await expect(progress).toHaveAttribute('aria-valuenow', '0')
    await expect(progress).toHaveAttribute('data-status', 'queued')
  },
}

export const RunningWithCounts: Story = {
  decorators: [(Story) => <WithScenario make={() => scenario(readingCounts())}>{Story()}</WithScenario>],
  play: async ({ canvasElement }) => {
    // Fetching (weight 1) done, reading (weight 3) at 10 of 40: (1 + 3 × 0.25) / 4 = 43.75%.
    const progress = bar(canvasElement)
    await expect(progress).toHaveAttribute('aria-valuenow', '44')
    await expect(progress).toHaveAttribute('aria-valuetext', '44%, Reading documents: 10 of 40')
    await expect(progress).not.toHaveAttribute('data-estimated')
  },
}

export const ParallelTasks: Story = {
  decorators: [(Story) => <WithScenario make={() => scenario(researchSearching())}>{Story()}</WithScenario>],
  play: async ({ canvasElement }) => {
    // Planning (1) done; six searches sum to 21 of 39 items in a phase of weight 4: (1 + 4 × 21/39) / 12.
    const progress = bar(canvasElement)
    await expect(progress).toHaveAttribute('aria-valuenow', '26')
    await expect(progress.getAttribute('aria-valuetext')).toMatch(
      /^26%, Searching 6 sources: 21 of 39(, about .+ left)?$/,
    )
  },
}

export const EstimatedPhase: Story = {
  decorators: [
    (Story) => (
      <WithScenario make={() => scenario(researchAnalysing(), { laterMs: 4_000 })}>{Story()}</WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    // Three phases (8 of 12 weight) confirmed; the agent's share is estimated and never reaches its end (10/12).
    const progress = bar(canvasElement)
    const value = Number(progress.getAttribute('aria-valuenow'))
    await expect(value).toBeGreaterThan(67)
    await expect(value).toBeLessThan(83)
    await expect(progress).toHaveAttribute('data-estimated')
    await expect(progress.getAttribute('aria-valuetext')).toMatch(/^\d+% estimated, Analysing/)
  },
}

export const Completed: Story = {
  decorators: [(Story) => <WithScenario make={() => scenario(researchCompleted())}>{Story()}</WithScenario>],
  play: async ({ canvasElement }) => {
    const progress = bar(canvasElement)
    await expect(progress).toHaveAttribute('aria-valuenow', '100')
    await expect(progress).toHaveAttribute('data-state', 'complete')
    await expect(progress).toHaveAttribute('aria-valuetext', 'Completed, 100%')
  },
}

export const Failed: Story = {
  decorators: [(Story) => <WithScenario make={() => scenario(researchFailed())}>{Story()}</WithScenario>],
  play: async ({ canvasElement }) => {
    // The bar keeps what it showed (reading 4 of 14: (5 + 3 × 4/14) / 12 ≈ 49%): it never moves backward.
    const progress = bar(canvasElement)
    await expect(progress).toHaveAttribute('data-state', 'failed')
    await expect(progress).toHaveAttribute('aria-valuenow', '49')
    await expect(progress).toHaveAttribute('aria-valuetext', 'Failed, 49%')
  },
}

export const GermanLocale: Story = {
  decorators: [
    (Story) => (
      <WithScenario
        make={() => scenario(readingCounts())}
        locale="de-DE"
        labels={{ progress: 'Fortschritt', count: (done, total) => `${done} von ${total}` }}
      >
        {Story()}
      </WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    const progress = within(canvasElement).getByRole('progressbar', { name: 'Fortschritt' })
    await expect(progress).toHaveAttribute('aria-valuenow', '44')
    await expect(progress.getAttribute('aria-valuetext')).toMatch(/^44\s%, Reading documents: 10 von 40$/)
  },
}

export const NoWeightYet: Story = {
  name: 'Plan with a single phase, just started',
  decorators: [
    (Story) => (
      <WithScenario
        make={() =>
          scenario(
            writeLog()
              .start([['only', 'Only phase', 1]])
              .event('phase_started', { phase: 'only' }),
          )
        }
      >
        {Story()}
      </WithScenario>
    ),
  ],
  play: async ({ canvasElement }) => {
    // Started, no counts, no expectedMs: the estimate has barely begun.
    const progress = bar(canvasElement)
    await expect(Number(progress.getAttribute('aria-valuenow'))).toBeLessThan(5)
    await expect(progress).toHaveAttribute('data-status', 'running')
  },
}
