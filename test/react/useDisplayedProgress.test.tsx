// @vitest-environment jsdom
import { act, renderHook, waitFor } from '@testing-library/react'
import { useDisplayedProgress, usePrefersReducedMotion } from '../../src/react/index'
import { createRunLog, createTestStore, PLAN } from './frames'
import { wrap } from './wrapper'

function started() {
  const source = createTestStore()
  const log = createRunLog()
  source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
  return { source, log }
}

describe('useDisplayedProgress', () => {
  test('with reduced motion it jumps to each displayed value without re-rendering', () => {
    const { source, log } = started()
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useDisplayedProgress('r1', { reducedMotion: true })
      },
      { wrapper: wrap(source) },
    )
    const before = renders
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 20, total: 40 })))
    expect(result.current.get()).toBeCloseTo(source.store.getState().runs.r1!.displayed, 10)
    expect(result.current.get()).toBeCloseTo(0.3, 10)
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 })))
    expect(result.current.get()).toBeCloseTo(0.6, 10)
    expect(renders).toBe(before)
  })

  test('springs toward displayed: never above it, never backward, and arrives', async () => {
    const { source, log } = started()
    const { result } = renderHook(() => useDisplayedProgress('r1', { reducedMotion: false }), {
      wrapper: wrap(source),
    })
    const value = result.current
    const seen: number[] = []
    const off = value.on('change', (v) => seen.push(v))
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 })))
    const target = source.store.getState().runs.r1!.displayed
    expect(value.get()).toBeLessThan(target)
    await waitFor(() => expect(value.get()).toBeCloseTo(target, 3), { timeout: 3000 })
    off()
    expect(seen.length).toBeGreaterThan(2)
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!)
    expect(Math.max(...seen)).toBeLessThanOrEqual(target)
  })

  test('a new epoch starts from its own value at once instead of sliding backward', () => {
    const { source, log } = started()
    const { result } = renderHook(() => useDisplayedProgress('r1', { reducedMotion: false }), {
      wrapper: wrap(source),
    })
    act(() => {
      source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 }))
      source.feed(log.next('phase_completed', { phase: 'search' }))
    })
    const next = createRunLog('r1', 'e2')
    act(() => source.feed(next.next('run_started', { plan: PLAN })))
    expect(source.store.getState().runs.r1!.epoch).toBe('e2')
    expect(result.current.get()).toBe(0)
  })

  test("another run that has not appeared yet shows 0, not the previous run's value", () => {
    const { source, log } = started()
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 })))
    const { result, rerender } = renderHook(
      ({ runId }) => useDisplayedProgress(runId, { reducedMotion: true }),
      { wrapper: wrap(source), initialProps: { runId: 'r1' } },
    )
    expect(result.current.get()).toBeCloseTo(0.6, 10)
    rerender({ runId: 'r2' })
    expect(source.store.getState().runs.r2?.displayed ?? 0).toBe(0)
    expect(result.current.get()).toBe(0)
  })
})

describe('usePrefersReducedMotion', () => {
  test('is false without matchMedia, follows the media query, and an override wins', () => {
    expect(renderHook(() => usePrefersReducedMotion()).result.current).toBe(false)
    const listeners = new Set<() => void>()
    const query = {
      matches: true,
      addEventListener: (_: string, l: () => void) => listeners.add(l),
      removeEventListener: (_: string, l: () => void) => listeners.delete(l),
    }
    window.matchMedia = ((q: string) => (q === '(prefers-reduced-motion: reduce)' ? query : null)) as never
    try {
      const { result } = renderHook(() => usePrefersReducedMotion())
      expect(result.current).toBe(true)
      act(() => {
        query.matches = false
        for (const l of listeners) l()
      })
      expect(result.current).toBe(false)
      expect(renderHook(() => usePrefersReducedMotion(true)).result.current).toBe(true)
    } finally {
      delete (window as { matchMedia?: unknown }).matchMedia
    }
  })
})
