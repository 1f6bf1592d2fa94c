// @vitest-environment jsdom
import { act, render } from '@testing-library/react'
import { Profiler } from 'react'
import { createProgressStore } from '../../src/client/createProgressStore'
import { ProgressProvider, RunProgress, useRun } from '../../src/react/index'
import { createFakeWorld } from '../client/store/fakeWorld'
import { createRunLog, PLAN } from './frames'

const FRAMES = 10_000

// The store's own timers: real, while the components' timers are held still (see the test).
const { setTimeout: setRealTimeout, clearTimeout: clearRealTimeout } = globalThis
const realTimers = {
  setTimeout: (fn: () => void, ms: number): unknown => setRealTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearRealTimeout(handle as ReturnType<typeof setTimeout>),
}

// One frame per macrotask, as a socket would deliver them: React cannot merge them the way it merges a loop.
function deliver(frames: string[], ingest: (frame: string) => void): Promise<void> {
  return new Promise((resolve) => {
    let i = 0
    const next = () => {
      if (i === frames.length) return resolve()
      ingest(frames[i++]!)
      setImmediate(next)
    }
    setImmediate(next)
  })
}

/** A run whose Search phase counts up frame by frame, with a thinking line every 100 frames. */
function storm(count: number): string[] {
  const log = createRunLog()
  const total = count - 4
  const frames = [
    log.next('run_started', { plan: PLAN, title: 'Storm' }),
    log.next('phase_started', { phase: 'search' }),
  ]
  for (let done = 1; frames.length < count - 2; done++) {
    frames.push(
      done % 100 === 0
        ? log.next('agent_thinking', { agent: 'A', text: `batch ${done / 100}` })
        : log.next('phase_progress', { phase: 'search', done, total }),
    )
  }
  frames.push(log.next('phase_completed', { phase: 'search' }), log.next('run_completed'))
  return frames
}

describe('render count under a frame storm', () => {
  afterEach(() => {
    vi.useRealTimers()
  })
  const actEnvironment = (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT
  beforeAll(() => {
    // Frames arrive on their own, outside act(), as in an app.
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
  })
  afterAll(() => {
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = actEnvironment
  })

  test.each([
    { count: FRAMES, flush: 16 as const },
    // Every frame published on its own: each publish may cost a commit, never two.
    { count: 400, flush: 'sync' as const },
  ])(
    '$count frames in separate tasks, flush $flush: at most one commit per store publish',
    async ({ count, flush }) => {
      // Only publishes may cause commits here. The badge announces on its own timer, 1 s after the reason settles;
      // a slow storm (a loaded machine, React 18's development build) outlasts that, and its commit is no
      // publish's. So components' timers stand still; the store keeps real ones.
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
      const pipeline = createProgressStore({ flush, env: realTimers })
      const frames = storm(count)
      expect(frames).toHaveLength(count)

      let publishes = 0
      pipeline.store.subscribe(() => publishes++)
      let commits = 0
      await act(async () => {
        render(
          <ProgressProvider client={pipeline}>
            <Profiler id="run" onRender={() => commits++}>
              <RunProgress runId="r1" reducedMotion />
            </Profiler>
          </ProgressProvider>,
        )
      })
      const mountCommits = commits
      const mountPublishes = publishes

      await deliver(frames, pipeline.ingest)
      // The last flush waits for its frame tick, later on a loaded machine: wait for it, then for React's commit.
      const deadline = Date.now() + 10_000
      while (pipeline.store.getState().runs.r1?.seq !== count && Date.now() < deadline) {
        await new Promise<void>((resolve) => realTimers.setTimeout(() => resolve(), 10))
      }
      await new Promise<void>((resolve) => realTimers.setTimeout(() => resolve(), 50))

      const run = pipeline.store.getState().runs.r1!
      expect(run.status).toBe('completed')
      expect(run.seq).toBe(count)
      expect(document.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow')).toBe('100')
      const stormPublishes = publishes - mountPublishes
      const stormCommits = commits - mountCommits
      console.info(
        `render-count: ${count} frames, flush ${flush} → ${stormPublishes} store publishes, ${stormCommits} React commits (mount: ${mountCommits} commit(s), ${mountPublishes} publish(es))`,
      )
      expect(stormPublishes).toBeGreaterThan(1)
      expect(stormCommits).toBeGreaterThan(1)
      if (flush !== 'sync') expect(stormPublishes).toBeLessThan(count / 10)
      expect(commits).toBeLessThanOrEqual(publishes + 1)
      pipeline.destroy()
    },
  )
})

/** Shows the run's seq; every render takes 60 ms of the store's clock. */
function SlowSeq({ clock, shown }: { clock: { t: number }; shown: number[] }) {
  const seq = useRun('r1', (run) => run.seq) ?? 0
  clock.t += 60
  shown.push(seq)
  return <span>{seq}</span>
}

describe('a host that renders slowly', () => {
  const actEnvironment = (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT
  beforeAll(() => {
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
  })
  afterAll(() => {
    ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = actEnvironment
  })

  test("React's render after a publish counts as busy time: the next publish rests as long", async () => {
    const world = createFakeWorld()
    const clock = { t: 0 }
    const pipeline = createProgressStore({ flush: 'frame', env: world.env, now: () => clock.t })
    const log = createRunLog()
    const shown: number[] = []
    render(
      <ProgressProvider client={pipeline}>
        <SlowSeq clock={clock} shown={shown} />
      </ProgressProvider>,
    )
    const settle = () => new Promise((resolve) => setTimeout(resolve, 0))
    await settle()
    pipeline.ingest(log.next('run_started', { plan: PLAN }))
    world.frame()
    await settle() // React renders in a microtask after the publish; the store reads the time after it
    expect(shown.at(-1)).toBe(1)
    pipeline.ingest(log.next('phase_started', { phase: 'plan' }))
    world.frame()
    await settle()
    expect(shown.at(-1)).toBe(1) // resting: no publish on this frame
    world.advance(60)
    world.frame()
    await settle()
    expect(shown.at(-1)).toBe(2)
    pipeline.destroy()
  })
})
