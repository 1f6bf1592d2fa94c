import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import { PhaseSteps } from '../src/react/index'
import {
  RUN,
  researchAnalysing,
  researchCompleted,
  researchFailed,
  researchSearching,
  type Scenario,
  scenario,
  writeLog,
} from './support/scenarios'
import { WithScenario } from './support/WithScenario'

const meta = {
  title: 'Components/PhaseSteps',
  component: PhaseSteps,
  args: { runId: RUN },
} satisfies Meta<typeof PhaseSteps>
export default meta
type Story = StoryObj<typeof meta>

const on = (make: () => Scenario): Story['decorators'] => [
  (Story) => <WithScenario make={make}>{Story()}</WithScenario>,
]
const steps = (canvas: HTMLElement) =>
  within(within(canvas).getByRole('list', { name: 'Steps' })).getAllByRole('listitem')
const states = (canvas: HTMLElement) => steps(canvas).map((step) => step.getAttribute('data-state'))

export const Searching: Story = {
  decorators: on(() => scenario(researchSearching())),
  play: async ({ canvasElement }) => {
    await expect(states(canvasElement)).toEqual(['done', 'active', 'pending', 'pending', 'pending'])
    const active = steps(canvasElement)[1]!
    await expect(active).toHaveAttribute('aria-current', 'step')
    await expect(active).toHaveTextContent('Searching 6 sources')
    await expect(active).toHaveTextContent('21 of 39')
  },
}

export const AgentWithoutCounts: Story = {
  decorators: on(() => scenario(researchAnalysing())),
  play: async ({ canvasElement }) => {
    const analysing = steps(canvasElement)[3]!
    await expect(analysing).toHaveAttribute('data-state', 'active')
    // No counts to show for an agent: no "N of M".
    await expect(analysing.textContent).not.toMatch(/\d+ of \d+/)
  },
}

export const Completed: Story = {
  decorators: on(() => scenario(researchCompleted())),
  play: async ({ canvasElement }) => {
    await expect(states(canvasElement)).toEqual(['done', 'done', 'done', 'done', 'done'])
    await expect(within(canvasElement).queryByRole('listitem', { current: 'step' })).toBeNull()
  },
}

export const FailedStep: Story = {
  decorators: on(() => scenario(researchFailed())),
  play: async ({ canvasElement }) => {
    const reading = steps(canvasElement)[2]!
    await expect(reading).toHaveAttribute('data-state', 'failed')
    await expect(reading).toHaveTextContent('The document store timed out three times')
  },
}

export const SkippedStep: Story = {
  decorators: on(() =>
    scenario(
      writeLog()
        .start([
          ['cache', 'Checking the cache', 1],
          ['fetch', 'Fetching', 3],
          ['render', 'Rendering', 1],
        ])
        .event('phase_started', { phase: 'cache' })
        .event('phase_completed', { phase: 'cache' })
        .event('phase_skipped', { phase: 'fetch' })
        .event('phase_started', { phase: 'render' }),
    ),
  ),
  play: async ({ canvasElement }) => {
    await expect(states(canvasElement)).toEqual(['done', 'skipped', 'active'])
    await expect(steps(canvasElement)[1]!).toHaveTextContent('Skipped')
  },
}

const MANY = Array.from(
  { length: 14 },
  (_, i) => [`p${i + 1}`, `Step ${i + 1}`, 1] as [string, string, number],
)

export const ManyPhases: Story = {
  decorators: on(() => {
    const log = writeLog().start(MANY, 'Nightly import of 14 partner feeds')
    for (const [id] of MANY.slice(0, 9))
      log.event('phase_started', { phase: id }).event('phase_completed', { phase: id })
    return scenario(
      log
        .event('phase_started', { phase: 'p10' })
        .event('phase_progress', { phase: 'p10', done: 2, total: 5 }),
    )
  }),
  play: async ({ canvasElement }) => {
    const all = states(canvasElement)
    await expect(all).toHaveLength(14)
    await expect(all.filter((s) => s === 'done')).toHaveLength(9)
    await expect(steps(canvasElement)[9]!).toHaveAttribute('aria-current', 'step')
  },
}

const LONG =
  'Reconciling every invoice line of the third quarter against the purchase orders, the delivery notes and the ' +
  'bank statements of all subsidiaries'

export const LongLabels: Story = {
  decorators: on(() =>
    scenario(
      writeLog()
        .start([
          ['a', LONG, 3],
          ['b', 'Supercalifragilisticexpialidocious-without-any-spaces-to-break-at-all-whatsoever', 1],
        ])
        .event('phase_started', { phase: 'a' })
        .event('phase_progress', { phase: 'a', done: 1234, total: 98765 }),
    ),
  ),
  play: async ({ canvasElement }) => {
    const [first, second] = steps(canvasElement)
    await expect(first).toHaveTextContent(LONG)
    await expect(first).toHaveTextContent('1,234 of 98,765')
    // Long words wrap inside the list instead of widening the page.
    const list = within(canvasElement).getByRole('list')
    await expect(second!.getBoundingClientRect().right).toBeLessThanOrEqual(
      list.getBoundingClientRect().right + 1,
    )
  },
}
