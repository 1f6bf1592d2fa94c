// @vitest-environment jsdom
import { act, render, renderHook } from '@testing-library/react'
import { followCount } from '../../src/react/followRun'
import type { ProgressSource } from '../../src/react/index'
import {
  ProgressProvider,
  shallowEqual,
  useConnection,
  useLabels,
  useProgressClient,
  useRun,
} from '../../src/react/index'
import { createRunLog, createTestStore, PLAN } from './frames'
import { wrap } from './wrapper'

function StatusReader({ id }: { id: string }) {
  useRun(id, (run) => run.status)
  return null
}

const microtask = () => act(() => Promise.resolve())

describe('useRun', () => {
  test('returns the run view and follows it as frames arrive', () => {
    const source = createTestStore()
    const log = createRunLog()
    const { result } = renderHook(() => useRun('r1'), { wrapper: wrap(source) })
    expect(result.current?.status).toBe('pending')
    act(() => source.feed(log.next('run_started', { plan: PLAN, title: 'Report' })))
    expect(result.current?.title).toBe('Report')
    expect(result.current?.status).toBe('running')
  })

  test('re-renders only when the selected slice changes', () => {
    const source = createTestStore()
    const log = createRunLog()
    source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useRun('r1', (run) => run.phases.find((p) => p.id === 'search')?.status)
      },
      { wrapper: wrap(source) },
    )
    const before = renders
    expect(result.current).toBe('active')
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 1, total: 10 })))
    act(() => source.feed(log.next('phase_progress', { phase: 'search', done: 2, total: 10 })))
    expect(renders).toBe(before)
    act(() => source.feed(log.next('phase_completed', { phase: 'search' })))
    expect(result.current).toBe('done')
    expect(renders).toBe(before + 1)
  })

  test('keeps an equal selection (custom equality) and does not re-render for it', () => {
    const source = createTestStore()
    const log = createRunLog()
    source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'plan' }))
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useRun('r1', (run) => ({ phases: run.phases.length, status: run.status }), shallowEqual)
      },
      { wrapper: wrap(source) },
    )
    const first = result.current
    const before = renders
    act(() => source.feed(log.next('phase_progress', { phase: 'plan', done: 1, total: 4 })))
    expect(renders).toBe(before)
    expect(result.current).toBe(first)
    act(() =>
      source.feed(log.next('plan_updated', { plan: [...PLAN, { id: 'check', label: 'Check', weight: 1 }] })),
    )
    expect(result.current).toEqual({ phases: 4, status: 'running' })
    expect(renders).toBe(before + 1)
  })

  test('the selector sees only an existing run', () => {
    const source = createTestStore({ autoFollow: false })
    const selector = vi.fn((run: { displayed: number }) => run.displayed)
    const { result } = renderHook(() => useRun('nobody', selector), {
      wrapper: wrap(createBareSource(source)),
    })
    expect(result.current).toBeUndefined()
    expect(selector).not.toHaveBeenCalled()
  })
})

// The store without its follow/unfollow: a source that only reads.
const createBareSource = (source: ProgressSource): ProgressSource => ({ store: source.store })

describe('follow ref-counting', () => {
  test('follows on the first mount and unfollows after the last unmount, once each', async () => {
    const store = createTestStore({ autoFollow: false })
    const follow = vi.fn(store.follow)
    const unfollow = vi.fn(store.unfollow)
    const source: ProgressSource = { store: store.store, follow, unfollow }
    const { rerender } = render(
      <ProgressProvider client={source}>
        <StatusReader id="r1" />
        <StatusReader id="r1" />
        <StatusReader id="r1" />
      </ProgressProvider>,
    )
    expect(follow).toHaveBeenCalledTimes(1)
    expect(follow).toHaveBeenCalledWith('r1')
    expect(followCount(source, 'r1')).toBe(3)
    expect(store.followed()).toEqual(['r1'])

    rerender(
      <ProgressProvider client={source}>
        <StatusReader id="r1" />
      </ProgressProvider>,
    )
    await microtask()
    expect(unfollow).not.toHaveBeenCalled()
    expect(followCount(source, 'r1')).toBe(1)

    rerender(<ProgressProvider client={source}>{null}</ProgressProvider>)
    await microtask()
    expect(unfollow).toHaveBeenCalledTimes(1)
    expect(unfollow).toHaveBeenCalledWith('r1')
    expect(store.followed()).toEqual([])
  })

  test('a remount in the same tick keeps the run followed (StrictMode)', async () => {
    const store = createTestStore({ autoFollow: false })
    const follow = vi.fn(store.follow)
    const unfollow = vi.fn(store.unfollow)
    const source: ProgressSource = { store: store.store, follow, unfollow }
    const { unmount } = renderHook(() => useRun('r1'), { wrapper: wrap(source), reactStrictMode: true })
    await microtask()
    expect(follow).toHaveBeenCalledTimes(1)
    expect(unfollow).not.toHaveBeenCalled()
    unmount()
    await microtask()
    expect(unfollow).toHaveBeenCalledTimes(1)
  })

  test('counts runs and sources separately', async () => {
    const a = createTestStore({ autoFollow: false })
    const b = createTestStore({ autoFollow: false })
    const { unmount } = render(
      <>
        <ProgressProvider client={a}>
          <StatusReader id="x" />
          <StatusReader id="y" />
        </ProgressProvider>
        <ProgressProvider client={b}>
          <StatusReader id="x" />
        </ProgressProvider>
      </>,
    )
    expect(a.followed().sort()).toEqual(['x', 'y'])
    expect(b.followed()).toEqual(['x'])
    unmount()
    await microtask()
    expect(a.followed()).toEqual([])
    expect(b.followed()).toEqual([])
  })

  test('a followed run receives frames that a non-autofollowing store would refuse', () => {
    const store = createTestStore({ autoFollow: false })
    const log = createRunLog()
    const { result } = renderHook(() => useRun('r1', (run) => run.status), { wrapper: wrap(store) })
    act(() => store.feed(log.next('run_started', { plan: PLAN })))
    expect(result.current).toBe('running')
    expect(store.store.getState().stats.unknownRun).toBe(0)
  })
})

describe('useConnection', () => {
  test('reports status and attempts, re-rendering only when they change', () => {
    const source = createTestStore({ connection: 'connecting' })
    const log = createRunLog()
    let renders = 0
    const { result } = renderHook(
      () => {
        renders++
        return useConnection()
      },
      { wrapper: wrap(source) },
    )
    expect(result.current).toEqual({ status: 'connecting', attempts: 0 })
    act(() => source.setConnection({ status: 'open' }))
    expect(result.current.status).toBe('open')
    const before = renders
    act(() => source.feed(log.next('run_started', { plan: PLAN }), log.heartbeat()))
    expect(renders).toBe(before)
    act(() => source.setConnection({ status: 'reconnecting', attempts: 2 }))
    expect(result.current).toEqual({ status: 'reconnecting', attempts: 2 })
  })
})

describe('useProgressClient', () => {
  test('returns the provided source', () => {
    const source = createTestStore()
    const { result } = renderHook(() => useProgressClient(), { wrapper: wrap(source) })
    expect(result.current).toBe(source)
  })

  test('outside a provider it logs once and falls back to an empty source', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { result } = renderHook(() => useRun('r1'))
    expect(result.current).toBeUndefined()
    expect(error).toHaveBeenCalledWith(expect.stringContaining('ProgressProvider'))
    error.mockRestore()
  })
})

describe('useLabels', () => {
  test('an inline labels object that says the same thing keeps the merged labels (no rebuilt text)', () => {
    const source = createTestStore()
    const { result, rerender } = renderHook(
      ({ progress }) => useLabels({ progress, runStatus: { failed: 'Échec' } }),
      { wrapper: wrap(source), initialProps: { progress: 'Avance' } },
    )
    const first = result.current.labels
    rerender({ progress: 'Avance' })
    expect(result.current.labels).toBe(first)
    rerender({ progress: 'Progreso' })
    expect(result.current.labels).not.toBe(first)
    expect(result.current.labels.progress).toBe('Progreso')
    expect(result.current.labels.runStatus.failed).toBe('Échec')
  })
})
