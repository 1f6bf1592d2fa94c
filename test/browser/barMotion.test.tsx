import { act } from 'react'
import { createBarMotion } from '../../src/react/barMotion'
import { barTransform, ProgressBar } from '../../src/react/index'
import '../../src/react/styles.css'
import { createRunLog, createTestStore, PLAN } from '../react/frames'
import { mountInPage } from './mountInPage'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The percent a segment shows now, animation included (it slides in by translateX(percent − 100%)). */
const shown = (segment: HTMLElement) =>
  100 + (new DOMMatrixReadOnly(getComputedStyle(segment).transform).m41 / segment.offsetWidth) * 100

// Real Web Animations in Chromium: what the compositor draws, sampled every frame.
test('the bar springs on the compositor: forward only, the fill under the estimate, exactly 100% at the end', async () => {
  const source = createTestStore()
  const log = createRunLog()
  const { host, unmount } = await mountInPage(source, <ProgressBar runId="r1" reducedMotion={false} />)
  await act(async () => {
    source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'plan' }, 0))
  })
  const estimate = host.querySelector<HTMLElement>('.lp-bar__estimate')!
  const fill = host.querySelector<HTMLElement>('.lp-bar__fill')!
  const samples: { estimate: number; fill: number; target: number }[] = []
  let sampling = true
  const sample = () => {
    if (!sampling) return
    const run = source.store.getState().runs.r1!
    samples.push({ estimate: shown(estimate), fill: shown(fill), target: run.displayed * 100 })
    requestAnimationFrame(sample)
  }
  sample()

  // Bursts that land while the previous spring still moves, an estimate ahead of the fill, then the end.
  const steps: [string, Record<string, unknown>][] = [
    ['phase_completed', { phase: 'plan' }],
    ['phase_started', { phase: 'search' }],
    ['phase_progress', { phase: 'search', done: 10, total: 40 }],
    ['phase_progress', { phase: 'search', done: 30, total: 40 }],
    ['phase_completed', { phase: 'search' }],
    ['phase_started', { phase: 'write' }],
  ]
  for (const [type, body] of steps) {
    await act(async () => source.feed(log.next(type, body, 0)))
    await sleep(120)
    // A transform animation in WAAPI is one the compositor can run without the main thread.
    const running = estimate.getAnimations()[0]
    if (running)
      expect(
        Object.keys(running.effect instanceof KeyframeEffect ? running.effect.getKeyframes()[0]! : {}),
      ).toContain('transform')
  }
  source.clock.t += 20_000
  await act(async () => source.feed(log.heartbeat(0)))
  await sleep(200)
  await act(async () =>
    source.feed(log.next('phase_completed', { phase: 'write' }, 0), log.next('run_completed', {}, 0)),
  )
  const settle = Date.now() + 3_000
  while ((estimate.getAnimations().length > 0 || fill.getAnimations().length > 0) && Date.now() < settle) {
    await sleep(20)
  }
  sampling = false

  expect(estimate.style.transform).toBe('translateX(0%)')
  expect(fill.style.transform).toBe('translateX(0%)')
  expect(samples.at(-1)).toMatchObject({ estimate: 100, fill: 100 })
  const between = samples.filter((s) => s.estimate > 1 && s.estimate < 99)
  expect(between.length).toBeGreaterThan(5)
  for (let i = 1; i < samples.length; i++) {
    const [before, now] = [samples[i - 1]!, samples[i]!]
    expect(now.estimate, `frame ${i}`).toBeGreaterThanOrEqual(before.estimate - 1e-3)
    expect(now.fill, `frame ${i}`).toBeGreaterThanOrEqual(before.fill - 1e-3)
    expect(now.fill, `frame ${i}`).toBeLessThanOrEqual(now.estimate + 1e-3)
    expect(now.estimate, `frame ${i}`).toBeLessThanOrEqual(now.target + 1e-3)
  }
  await unmount()
  source.destroy()
})

test('with reduced motion the segments step: no animation, each value drawn at once', async () => {
  const source = createTestStore()
  const log = createRunLog()
  const { host, unmount } = await mountInPage(source, <ProgressBar runId="r1" reducedMotion />)
  await act(async () => {
    source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
    source.feed(log.next('phase_progress', { phase: 'search', done: 20, total: 40 }))
  })
  const estimate = host.querySelector<HTMLElement>('.lp-bar__estimate')!
  expect(estimate.getAnimations()).toEqual([])
  expect(shown(estimate)).toBeCloseTo(source.store.getState().runs.r1!.displayed * 100, 3)
  await unmount()
  source.destroy()
})

test('a segment that would move backward (a new start) is drawn at once, never slid back', async () => {
  const track = document.createElement('div')
  track.style.cssText = 'position: relative; width: 200px; height: 8px; overflow: hidden'
  const segment = document.createElement('div')
  segment.style.cssText = 'position: absolute; inset: 0'
  track.append(segment)
  document.body.append(track)
  const motion = createBarMotion()
  motion.segment(0)(segment)
  motion.draw([0.2], true)
  expect(segment.getAnimations()).toEqual([])
  motion.draw([0.8])
  expect(segment.getAnimations()).toHaveLength(1)
  await sleep(50)
  motion.draw([0.3])
  expect(segment.getAnimations()).toEqual([])
  expect(segment.style.transform).toBe(barTransform(0.3))
  expect(shown(segment)).toBeCloseTo(30, 3)
  track.remove()
})
