// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import { useDisplayedProgress, usePrefersReducedMotion } from '../../src/react/index'
import { createRunLog, createTestStore, feedEstimated, PLAN } from './frames'
import { wrap } from './wrapper'

function started() {
  const source = createTestStore()
  const log = createRunLog()
  source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
  return { source, log }
}

describe('useDisplayedProgress', () => {
  test('follows each displayed value from the store without re-rendering', () => {
    const { source, log } = started()
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useDisplayedProgress('r1')
      },
      { wrapper: wrap(source) },
    )
    const seen: number[] = []
    const off = result.current.on('change', (value) => {
      seen.push(value)
    })
    const before = renders
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 20, total: 40 })))
    expect(result.current.get()).toBeCloseTo(source.store.getState().runs.r1!.displayed, 10)
    expect(result.current.get()).toBeCloseTo(0.3, 10)
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 })))
    expect(result.current.get()).toBeCloseTo(0.6, 10)
    expect(seen.map((value) => value.toFixed(2))).toEqual(['0.30', '0.60'])
    expect(renders).toBe(before)
    off()
  })

  test('the solid part is what the server confirmed: under the drawn value, beside an estimate', () => {
    const { source, log } = started()
    const { result } = renderHook(() => useDisplayedProgress('r1'), { wrapper: wrap(source) })
    act(() => feedEstimated(source, log))
    const run = source.store.getState().runs.r1!
    expect(run.displayed).toBeGreaterThan(run.progress)
    expect(result.current.get()).toBe(run.displayed)
    expect(result.current.getConfirmed()).toBe(run.progress)
  })

  test('a new epoch starts from its own value at once instead of sliding backward', () => {
    const { source, log } = started()
    const { result } = renderHook(() => useDisplayedProgress('r1'), { wrapper: wrap(source) })
    const seen: number[] = []
    result.current.on('change', (value) => {
      seen.push(value)
    })
    act(() => {
      source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 }))
      source.feed(log.next('phase_completed', { phase: 'search' }))
    })
    const next = createRunLog('r1', 'e2')
    act(() => source.feed(next.next('run_started', { plan: PLAN })))
    expect(source.store.getState().runs.r1!.epoch).toBe('e2')
    expect(result.current.get()).toBe(0)
    expect(result.current.getConfirmed()).toBe(0)
    // Told as a drop to the new epoch's start, which a bar draws at once (it never slides backward).
    expect(seen.at(-2)).toBeCloseTo(0.6, 10)
    expect(seen.at(-1)).toBe(0)
  })

  test("another run that has not appeared yet shows 0, not the previous run's value", () => {
    const { source, log } = started()
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 40, total: 40 })))
    const { result, rerender } = renderHook(({ runId }) => useDisplayedProgress(runId), {
      wrapper: wrap(source),
      initialProps: { runId: 'r1' },
    })
    expect(result.current.get()).toBeCloseTo(0.6, 10)
    rerender({ runId: 'r2' })
    expect(source.store.getState().runs.r2?.displayed ?? 0).toBe(0)
    expect(result.current.get()).toBe(0)
  })

  test('listens to the store only while someone listens', () => {
    const { source, log } = started()
    const { result } = renderHook(() => useDisplayedProgress('r1'), { wrapper: wrap(source) })
    const real = source.store.subscribe
    let open = 0
    source.store.subscribe = (listener) => {
      open++
      const off = real(listener)
      return () => {
        open--
        off()
      }
    }
    const heard = vi.fn()
    const offs = [result.current.on('change', heard), result.current.on('change', (v) => heard(v))]
    expect(open).toBe(2)
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 10, total: 40 })))
    expect(heard).toHaveBeenCalledTimes(2)
    for (const off of offs) off()
    expect(open).toBe(0)
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 20, total: 40 })))
    expect(heard).toHaveBeenCalledTimes(2)
    source.store.subscribe = real
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
