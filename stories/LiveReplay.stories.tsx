/// <reference types="vite/client" />
import type { Meta, StoryObj } from '@storybook/react-vite'
import { useEffect, useState } from 'react'
import { expect, waitFor, within } from 'storybook/test'
import { ProgressProvider, RunProgress, useRun } from '../src/react/index'
import { REPLAY_RUN, type LiveReplay as Replay, startLiveReplay } from './support/liveReplay'

function Stats() {
  const stats = useRun(REPLAY_RUN, (run) => run.stats)
  if (!stats) return null
  return (
    <p style={{ font: '13px/1.4 system-ui', color: '#59636e' }}>
      {stats.applied} events applied exactly once · {stats.duplicates} duplicates dropped · {stats.reordered}{' '}
      held for their turn · {stats.resyncs} resyncs
    </p>
  )
}

/** The whole kit on a chaotic run: the bar only moves forward and ends at 100%. */
function LiveReplay({ speed }: { speed: number }) {
  const [replay, setReplay] = useState<Replay | null>(null)
  useEffect(() => {
    const started = startLiveReplay(speed)
    setReplay(started)
    return () => started.stop()
  }, [speed])
  if (!replay) return null
  return (
    <ProgressProvider client={replay.progress}>
      <div style={{ maxWidth: 560, padding: 16 }}>
        <RunProgress runId={REPLAY_RUN} activityMax={8} />
        <Stats />
      </div>
    </ProgressProvider>
  )
}

const meta = {
  title: 'Live replay',
  component: LiveReplay,
  args: { speed: 12 },
  argTypes: { speed: { control: { type: 'range', min: 1, max: 30 } } },
} satisfies Meta<typeof LiveReplay>
export default meta
type Story = StoryObj<typeof meta>

export const ChaoticResearchRun: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const bar = await canvas.findByRole('progressbar')
    // Watch every value the bar announces on the way: none may be lower than the one before.
    const seen: number[] = []
    const observer = new MutationObserver(() => {
      const value = bar.getAttribute('aria-valuenow')
      if (value !== null) seen.push(Number(value))
    })
    observer.observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] })
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '100'), {
      timeout: 20_000,
      interval: 100,
    })
    observer.disconnect()
    await expect(seen.length).toBeGreaterThan(10)
    await expect(seen.every((value, i) => i === 0 || value >= seen[i - 1]!)).toBe(true)
    await expect(canvas.getByRole('region')).toHaveAttribute('data-state', 'completed')
  },
}
