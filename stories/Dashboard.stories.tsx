import type { Meta, StoryObj } from '@storybook/react-vite'
import { useEffect, useId, useState, useSyncExternalStore } from 'react'
import { expect, waitFor, within } from 'storybook/test'
import { CALM } from '../demo/chaosPeer'
import { createRunBoard } from '../demo/createRunBoard'
import { ProgressBar, ProgressProvider, useProgressClient, useRun } from '../src/react/index'
import { createStoryBackend, type StoryBackend } from './support/createStoryBackend'
import './support/stories.css'

export interface DashboardProps {
  /** Simulated research runs started at once, all followed over one connection. */
  runs: number
  /** Speed-up over real time. */
  messageRate: number
  seed: number
  /**
   * Bars jump instead of springing. On by default here: fifty springs at once are motion for its own sake, and
   * on a busy machine they took as much CPU as everything else in the story.
   */
  reducedMotion: boolean
}

/** One run as a dashboard row: its question, a compact bar named by it, and the percent. */
function RunRow({ runId, index, reducedMotion }: { runId: string; index: number; reducedMotion: boolean }) {
  const titleId = useId()
  const title = useRun(runId, (run) => run.title)
  const percent = useRun(runId, (run) => Math.round(run.displayed * 100))
  return (
    <li data-run={runId}>
      <span className="story-dashboard__row">
        <span id={titleId} className="story-dashboard__title">
          {index + 1}. {title ?? runId}
        </span>
        <span className="story-dashboard__percent" aria-hidden="true">
          {percent ?? 0}%
        </span>
      </span>
      <ProgressBar runId={runId} aria-labelledby={titleId} reducedMotion={reducedMotion} />
    </li>
  )
}

/** Completed runs out of all runs, and how many connections were ever opened to carry them. */
function Summary({ backend, total }: { backend: StoryBackend; total: number }) {
  const { store } = useProgressClient()
  const completed = useSyncExternalStore(
    store.subscribe,
    () => Object.values(store.getState().runs).filter((run) => run.status === 'completed').length,
  )
  const frames = useSyncExternalStore(store.subscribe, () => store.getState().stats.frames)
  return (
    <p data-testid="summary">
      <span data-completed={completed}>
        {completed} of {total} runs completed
      </span>{' '}
      · <span data-opens={backend.memory.opens}>{backend.memory.opens} connection opened</span> · {frames}{' '}
      frames
    </p>
  )
}

/** Many runs on one page, over one client and one in-memory connection to the real hub. */
function Dashboard({ runs, messageRate, seed, reducedMotion }: DashboardProps) {
  const [backend, setBackend] = useState<StoryBackend | null>(null)
  const [ids, setIds] = useState<string[]>([])
  useEffect(() => {
    const next = createStoryBackend({ chaos: () => CALM, seed })
    const board = createRunBoard({
      host: next.host,
      concurrency: runs,
      keep: runs,
      speed: 1 / messageRate,
      seed,
    })
    let live = true
    setBackend(next)
    setIds([])
    void (async () => {
      const started: string[] = []
      // The board starts at most 20 per call.
      while (live && started.length < runs)
        started.push(...(await board.start(Math.min(20, runs - started.length))))
      if (live) setIds(started)
    })()
    return () => {
      live = false
      board.close()
      next.close()
    }
  }, [runs, messageRate, seed])
  if (!backend) return null
  return (
    <ProgressProvider client={backend.client}>
      <div className="story-dashboard">
        <Summary backend={backend} total={runs} />
        <ol aria-label="Runs">
          {ids.map((id, index) => (
            <RunRow key={id} runId={id} index={index} reducedMotion={reducedMotion} />
          ))}
        </ol>
      </div>
    </ProgressProvider>
  )
}

const meta = {
  title: 'Dashboard',
  component: Dashboard,
  args: { runs: 50, messageRate: 15, seed: 3, reducedMotion: true },
  argTypes: {
    runs: { control: { type: 'range', min: 1, max: 100 } },
    messageRate: { control: { type: 'range', min: 0.5, max: 20, step: 0.5 } },
  },
  parameters: { layout: 'fullscreen' },
} satisfies Meta<typeof Dashboard>
export default meta
type Story = StoryObj<typeof meta>

/** Polls `condition` until it holds or `ms` pass; says which. */
async function holdsWithin(ms: number, condition: () => boolean): Promise<boolean> {
  const end = Date.now() + ms
  while (!condition()) {
    if (Date.now() > end) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return true
}

export const FiftyRunsOneConnection: Story = {
  name: '50 runs, one connection',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const bars = await waitFor(
      () => {
        const found = canvas.getAllByRole('progressbar')
        expect(found).toHaveLength(50)
        return found
      },
      { timeout: 5_000 },
    )
    const percentOf = (bar: Element) => Number(bar.getAttribute('aria-valuenow') ?? 0)
    // Every value each bar announces: none may be lower than that bar's previous one.
    const seen = new Map<Element, number[]>(bars.map((bar) => [bar, [percentOf(bar)]]))
    const observer = new MutationObserver((records) => {
      for (const record of records)
        seen.get(record.target as Element)?.push(percentOf(record.target as Element))
    })
    for (const bar of bars) observer.observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] })
    // Bounded: on a quiet machine all 50 finish in a few seconds; on a busy one each must at least move forward.
    const finished = await holdsWithin(6_000, () => bars.every((bar) => percentOf(bar) === 100))
    observer.disconnect()
    for (const [bar, values] of seen) {
      const name = bar.getAttribute('aria-labelledby')
      await expect([name, values.filter((v, i) => i > 0 && v < values[i - 1]!)]).toEqual([name, []])
      await expect([name, values.at(-1)! > values[0]!]).toEqual([name, true])
    }
    if (finished) await expect(canvas.getByText('50 of 50 runs completed')).toBeVisible()
    // All 50 over the one connection the client opened.
    await expect(canvasElement.querySelector('[data-opens]')).toHaveAttribute('data-opens', '1')
  },
}
