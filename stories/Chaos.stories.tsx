/// <reference types="vite/client" />
import type { Meta, StoryObj } from '@storybook/react-vite'
import { Profiler, useEffect, useRef, useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { ChaosSettings } from '../demo/chaosPeer'
import { NaiveBar } from '../demo/NaiveBar'
import { ProgressProvider, RunProgress } from '../src/react/index'
import { ChaosStats } from './support/ChaosStats'
import { createStoryBackend, type StoryBackend } from './support/createStoryBackend'
import './support/stories.css'

export interface ChaosSimulatorProps {
  /** Speed-up over real time: a 20 s research run takes 20 s / rate. */
  messageRate: number
  /** Chance a frame is held back behind 1–4 later ones. */
  reorder: number
  /** Chance a frame is sent twice. */
  duplicate: number
  /** Chance a frame is never sent. */
  drop: number
  /** Chaos kills the connection this long after it opened, ms (0: never). */
  disconnectEveryMs: number
  /** The hub restarts this often, ms (0: never); runs resume from its persisted log. */
  restartEveryMs: number
  /** The hub's heartbeat period: a stalled connection is given up after 2.5 of them (PROTOCOL rule 8). */
  heartbeatMs: number
  /** Seeds the run and the chaos: the same seed plays the same story. */
  seed: number
}

const chaosOf = (props: ChaosSimulatorProps): ChaosSettings => ({
  reorder: props.reorder,
  duplicate: props.duplicate,
  drop: props.drop,
  killEveryMs: props.disconnectEveryMs,
})

/**
 * A simulated research run played by the real hub over an in-memory transport with a misbehaving network, shown
 * twice: by the kit (ordered, exactly once) and by a naive bar fed the same frames (last message wins).
 */
function ChaosSimulator(props: ChaosSimulatorProps) {
  const latest = useRef(props)
  latest.current = props
  const commits = useRef(0)
  const [backend, setBackend] = useState<StoryBackend | null>(null)
  const [round, setRound] = useState(1)
  // Bumped when the job restarts from scratch: the same run plays again from its first event.
  const [generation, setGeneration] = useState(0)
  const [error, setError] = useState<string | null>(null)
  const runId = `research-${round}`

  useEffect(() => {
    const next = createStoryBackend({
      chaos: () => chaosOf(latest.current),
      seed: props.seed,
      heartbeatMs: props.heartbeatMs,
    })
    setBackend(next)
    return () => next.close()
  }, [props.seed, props.heartbeatMs])
  useEffect(() => backend?.restartEvery(props.restartEveryMs), [backend, props.restartEveryMs])
  // biome-ignore lint/correctness/useExhaustiveDependencies: `generation` is the trigger of a fresh start.
  useEffect(() => {
    if (!backend) return
    setError(null)
    return backend.play(runId, {
      seed: props.seed + round,
      rate: () => latest.current.messageRate,
      onError: (thrown) => setError(`The simulation stopped: ${String(thrown)}`),
    })
  }, [backend, runId, round, generation, props.seed])

  const restartJob = async () => {
    if (!backend) return
    backend.stopAll()
    await backend.restartJob()
    setGeneration((g) => g + 1)
  }

  if (!backend) return null
  return (
    <ProgressProvider client={backend.client}>
      <div className="story-chaos">
        <div className="story-chaos__bars">
          <div className="story-chaos__kit">
            <span className="story-chaos__caption">live-progress: in order, each event applied once</span>
            <Profiler id="kit" onRender={() => commits.current++}>
              <RunProgress key={runId} runId={runId} activityMax={5} />
            </Profiler>
          </div>
          <div className="story-chaos__kit">
            <span className="story-chaos__caption">A naive client on the very same frames</span>
            <NaiveBar key={runId} naive={backend.naive} runId={runId} />
          </div>
        </div>
        <div className="story-chaos__actions">
          <button type="button" onClick={() => backend.drop()}>
            Drop the connection
          </button>
          <button type="button" onClick={() => backend.stall()}>
            Stall the connection
          </button>
          <button type="button" onClick={() => void backend.restart()}>
            Restart the hub
          </button>
          <button type="button" onClick={() => void restartJob()}>
            Restart the job from scratch
          </button>
          <button
            type="button"
            onClick={() => {
              commits.current = 0
              setRound((r) => r + 1)
            }}
          >
            Play a new run
          </button>
        </div>
        {error && <p role="alert">{error}</p>}
        {/* Profiler callbacks only run in development builds: a static Storybook shows no count. */}
        <ChaosStats
          backend={backend}
          runId={runId}
          commits={() => (import.meta.env.DEV ? commits.current : null)}
        />
      </div>
    </ProgressProvider>
  )
}

const meta = {
  title: 'Chaos',
  component: ChaosSimulator,
  args: {
    messageRate: 1,
    reorder: 0.2,
    duplicate: 0.1,
    drop: 0.05,
    disconnectEveryMs: 0,
    restartEveryMs: 0,
    heartbeatMs: 2_000,
    seed: 7,
  },
  argTypes: {
    messageRate: { control: { type: 'range', min: 0.5, max: 20, step: 0.5 } },
    reorder: { control: { type: 'range', min: 0, max: 0.5, step: 0.01 } },
    duplicate: { control: { type: 'range', min: 0, max: 0.5, step: 0.01 } },
    drop: { control: { type: 'range', min: 0, max: 0.5, step: 0.01 } },
    disconnectEveryMs: { control: { type: 'select' }, options: [0, 2_000, 5_000, 10_000, 30_000] },
    restartEveryMs: { control: { type: 'select' }, options: [0, 3_000, 10_000, 30_000] },
    heartbeatMs: { control: { type: 'select' }, options: [500, 2_000, 10_000] },
    seed: { control: { type: 'number' } },
  },
  parameters: { layout: 'fullscreen' },
} satisfies Meta<typeof ChaosSimulator>
export default meta
type Story = StoryObj<typeof meta>

/**
 * At human pace: turn the knobs while it plays, drop or stall the connection (it stays open and silent until the
 * client gives up on it after 2.5 heartbeats), restart the hub, or restart the job from scratch (a new epoch).
 */
export const Simulator: Story = {}

const badgeText = (canvas: HTMLElement) => canvas.querySelector('.lp-badge [aria-hidden="true"]')?.textContent
const stat = (canvas: HTMLElement, key: string) =>
  canvas.querySelector(`[data-stat="${key}"] dd`)?.textContent ?? ''

/** Fast and rough: frames reordered, copied and lost, connections killed, the hub restarted mid-run. */
export const UnderHeavyChaos: Story = {
  args: {
    messageRate: 6,
    reorder: 0.25,
    duplicate: 0.1,
    drop: 0.03,
    disconnectEveryMs: 3_000,
    restartEveryMs: 4_000,
    seed: 11,
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const bar = await canvas.findByRole('progressbar', { name: 'How safe are solid-state batteries?' })
    // Every value the bar announces on the way: none may be lower than the one before.
    const seen: number[] = []
    const first = bar.getAttribute('aria-valuenow')
    if (first !== null) seen.push(Number(first))
    const observer = new MutationObserver(() => {
      const value = bar.getAttribute('aria-valuenow')
      if (value !== null) seen.push(Number(value))
    })
    observer.observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] })
    try {
      // Under way on an open connection: then a person pulls the plug.
      await waitFor(
        () => {
          expect(Number(bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0)
          expect(stat(canvasElement, 'connection')).toBe('open')
        },
        { timeout: 5_000, interval: 20 },
      )
      const before = badgeText(canvasElement)
      const lost = Number(stat(canvasElement, 'drops'))
      await userEvent.click(canvas.getByRole('button', { name: 'Drop the connection' }))
      await waitFor(() => expect(badgeText(canvasElement)).toBe('Reconnecting…'), { interval: 10 })
      await expect(badgeText(canvasElement)).not.toBe(before)
      await waitFor(() => expect(Number(stat(canvasElement, 'drops'))).toBeGreaterThan(lost))

      await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '100'), {
        timeout: 10_000,
        interval: 50,
      })
    } finally {
      observer.disconnect()
    }
    await expect(seen.length).toBeGreaterThanOrEqual(5)
    await expect(seen.filter((value, i) => i > 0 && value < seen[i - 1]!)).toEqual([])
    await expect(canvas.getByRole('region', { name: /solid-state/ })).toHaveAttribute(
      'data-state',
      'completed',
    )
    // The chaos really happened, and the kit absorbed it.
    await expect(Number(stat(canvasElement, 'duplicates'))).toBeGreaterThan(0)
    await expect(Number(stat(canvasElement, 'reordered'))).toBeGreaterThan(0)
    // Fed the very same frames, last message wins: the naive bar went backward.
    await expect(Number(stat(canvasElement, 'backward'))).toBeGreaterThan(0)
  },
}

/**
 * A stuck proxy, then a job that starts over: the stalled connection says "Live" until the heartbeat timeout, is
 * dropped and reconnected, and resumes; the restart from scratch is named ("Restarted") and moves the bar down
 * once, visibly, never otherwise.
 */
export const StalledThenRestarted: Story = {
  args: {
    messageRate: 6,
    reorder: 0.1,
    duplicate: 0.05,
    drop: 0,
    disconnectEveryMs: 0,
    restartEveryMs: 0,
    heartbeatMs: 250,
    seed: 5,
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const bar = await canvas.findByRole('progressbar', { name: 'How safe are solid-state batteries?' })
    const seen: number[] = []
    const observer = new MutationObserver(() => {
      const value = bar.getAttribute('aria-valuenow')
      if (value !== null) seen.push(Number(value))
    })
    observer.observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] })
    try {
      await waitFor(
        () => {
          expect(Number(bar.getAttribute('aria-valuenow'))).toBeGreaterThan(0)
          expect(stat(canvasElement, 'connection')).toBe('open')
        },
        { timeout: 5_000, interval: 20 },
      )
      await userEvent.click(canvas.getByRole('button', { name: 'Stall the connection' }))
      // Open and silent: only the heartbeat timeout (2.5 × 300 ms) ends it, then a second connection resumes.
      await waitFor(() => expect(Number(stat(canvasElement, 'silences'))).toBe(1), { timeout: 5_000 })
      await waitFor(() => expect(Number(stat(canvasElement, 'opens'))).toBe(2), { timeout: 5_000 })
      await expect(Number(stat(canvasElement, 'drops'))).toBe(1)

      await waitFor(() => expect(Number(bar.getAttribute('aria-valuenow'))).toBeGreaterThan(30), {
        timeout: 10_000,
        interval: 20,
      })
      await userEvent.click(canvas.getByRole('button', { name: 'Restart the job from scratch' }))
      await waitFor(() => expect(badgeText(canvasElement)).toBe('Restarted'), {
        timeout: 5_000,
        interval: 10,
      })
      // Where the new attempt stands when the client hears of it (it reconnects to the restarted hub): below the
      // best the bar had shown.
      await expect(Number(bar.getAttribute('aria-valuenow'))).toBeLessThan(Math.max(...seen))
      await expect(canvas.queryByRole('alert')).toBeNull()
      await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '100'), {
        timeout: 15_000,
        interval: 50,
      })
    } finally {
      observer.disconnect()
    }
    // Down once, at the restart; never otherwise.
    const drops = seen.filter((value, i) => i > 0 && value < seen[i - 1]!)
    await expect(drops).toHaveLength(1)
    await expect(canvas.getByRole('region', { name: /solid-state/ })).toHaveAttribute(
      'data-state',
      'completed',
    )
  },
}
