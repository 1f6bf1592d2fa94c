import type { Meta, StoryObj } from '@storybook/react-vite'
import { type ReactNode, useEffect, useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { createProgressStore, type ProgressStore } from '../src/index'
import { ProgressBar, ProgressProvider } from '../src/react/index'
import { type LogWriter, RUN, readingCounts } from './support/scenarios'

const QUERY = '(prefers-reduced-motion: reduce)'

/**
 * Answers the reduced-motion media query as "reduce" while mounted, as if the person had turned animations off
 * in their system settings (a story cannot change the OS). Other queries go to the real `matchMedia`.
 */
function SystemPrefersReducedMotion({ children }: { children: ReactNode }) {
  // Installed during the first render, before the bar below reads the query.
  const [restore] = useState(() => {
    const real = window.matchMedia
    window.matchMedia = (query: string) => real.call(window, query === QUERY ? 'all' : query)
    return () => {
      window.matchMedia = real
    }
  })
  useEffect(() => restore, [restore])
  return children
}

/** A run reading 10 of 40 documents, fed frame by frame to a real store; `finish()` completes it. */
function startRun(): { progress: ProgressStore; finish(): void } {
  const log: LogWriter = readingCounts()
  const progress = createProgressStore({ flush: 'sync' })
  progress.follow(RUN)
  const base = Date.now() - log.ts
  let fed = 0
  const feed = () => {
    for (const frame of log.frames.slice(fed)) {
      progress.ingest(JSON.stringify({ ...frame, ts: base + (frame.ts as number) }))
    }
    fed = log.frames.length
  }
  feed()
  return {
    progress,
    finish() {
      log
        .event('phase_progress', { phase: 'read', done: 40, total: 40 }, 0)
        .event('phase_completed', { phase: 'read' }, 0)
        .event('run_completed', {}, 0)
      feed()
    },
  }
}

/** The same run drawn three ways: springing, with `reducedMotion`, and following the system setting. */
function MotionComparison() {
  const [run] = useState(startRun)
  useEffect(() => () => run.progress.destroy(), [run])
  return (
    <ProgressProvider client={run.progress}>
      <div style={{ display: 'grid', gap: 12, maxWidth: 480, padding: 16, font: '14px system-ui' }}>
        <span>Motion allowed: the bar springs to each new value</span>
        <ProgressBar runId={RUN} reducedMotion={false} aria-label="Springing" />
        <span>
          <code>reducedMotion</code>: the bar jumps
        </span>
        <ProgressBar runId={RUN} reducedMotion aria-label="Reduced by prop" />
        <span>System setting “reduce motion” (simulated by this story): the bar jumps</span>
        <SystemPrefersReducedMotion>
          <ProgressBar runId={RUN} aria-label="Reduced by the system setting" />
        </SystemPrefersReducedMotion>
        <button type="button" onClick={run.finish} style={{ justifySelf: 'start', font: 'inherit' }}>
          Finish the run
        </button>
      </div>
    </ProgressProvider>
  )
}

const meta = {
  title: 'Accessibility/Reduced motion',
  component: MotionComparison,
} satisfies Meta<typeof MotionComparison>
export default meta
type Story = StoryObj<typeof meta>

const NAMES = ['Springing', 'Reduced by prop', 'Reduced by the system setting'] as const

/** The percent an estimate segment shows now, animation included (it slides in by translateX(percent − 100%)). */
const shown = (segment: HTMLElement) =>
  100 + (new DOMMatrixReadOnly(getComputedStyle(segment).transform).m41 / segment.offsetWidth) * 100

export const JumpsInsteadOfSpringing: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const bars = NAMES.map((name) => canvas.getByRole('progressbar', { name }))
    for (const bar of bars) await expect(bar).toHaveAttribute('aria-valuenow', '44')
    const fills = bars.map((bar) => bar.querySelector<HTMLElement>('.lp-bar__estimate')!)
    // Every value each bar draws on the way from 44% to 100%, sampled each frame (the compositor moves them).
    const drawn = bars.map(() => [] as number[])
    let sampling = true
    const sample = () => {
      for (const [index, fill] of fills.entries()) drawn[index]!.push(shown(fill))
      if (sampling) requestAnimationFrame(sample)
    }
    sample()
    try {
      await userEvent.click(canvas.getByRole('button', { name: 'Finish the run' }))
      // What the bar means changes at once, whatever the motion.
      for (const bar of bars) await expect(bar).toHaveAttribute('aria-valuenow', '100')
      await waitFor(() => {
        for (const fill of fills) {
          expect(fill.getAnimations()).toEqual([])
          expect(fill.style.transform).toBe('translateX(0%)')
        }
      })
    } finally {
      sampling = false
    }
    const between = (values: number[]) => values.filter((w) => w > 44.5 && w < 99.5)
    const [spring, byProp, bySystem] = drawn.map(between)
    await expect(spring!.length).toBeGreaterThanOrEqual(2)
    await expect(byProp).toEqual([])
    await expect(bySystem).toEqual([])
    // Springing never moves backward and never passes the end.
    for (const values of drawn) {
      for (let i = 1; i < values.length; i++)
        await expect(values[i]!).toBeGreaterThanOrEqual(values[i - 1]! - 1e-6)
      await expect(Math.max(...values)).toBeLessThanOrEqual(100 + 1e-6)
    }
  },
}
