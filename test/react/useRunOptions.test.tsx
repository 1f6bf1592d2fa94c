// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react'
import { followCount } from '../../src/react/followRun'
import { useRun } from '../../src/react/index'
import { createRunLog, createTestStore, feedCompleted, PLAN } from './frames'
import { wrap } from './wrapper'

const microtask = () => act(() => Promise.resolve())

describe('useRun options', () => {
  test('enabled: false reads the store without following; true follows', async () => {
    const source = createTestStore()
    const follow = vi.spyOn(source, 'follow')
    const { result, rerender } = renderHook(({ enabled }) => useRun('r1', { enabled }), {
      wrapper: wrap(source),
      initialProps: { enabled: false },
    })
    expect(follow).not.toHaveBeenCalled()
    expect(followCount(source, 'r1')).toBe(0)
    expect(result.current).toBeUndefined()
    rerender({ enabled: true })
    expect(follow).toHaveBeenCalledWith('r1')
    expect(result.current?.status).toBe('pending')
    rerender({ enabled: false })
    await microtask()
    expect(followCount(source, 'r1')).toBe(0)
  })

  test('onStatusChange hears each new status; onComplete once, with the finished run', () => {
    const source = createTestStore()
    const log = createRunLog()
    const onStatusChange = vi.fn()
    const onComplete = vi.fn()
    renderHook(() => useRun('r1', (run) => run.status, Object.is, { onStatusChange, onComplete }), {
      wrapper: wrap(source),
    })
    act(() => feedCompleted(source, log))
    expect(onStatusChange.mock.calls.map(([status]) => status)).toEqual(['running', 'completed'])
    act(() => source.feed(log.heartbeat()))
    expect(onComplete).toHaveBeenCalledTimes(1)
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ runId: 'r1', status: 'completed', displayed: 1 })
  })

  test('a run already completed at mount calls onComplete once; a new epoch that completes calls it again', () => {
    const source = createTestStore()
    act(() => feedCompleted(source, createRunLog()))
    const onComplete = vi.fn()
    const onStatusChange = vi.fn()
    renderHook(() => useRun('r1', { onComplete, onStatusChange }), { wrapper: wrap(source) })
    expect(onComplete).toHaveBeenCalledTimes(1)
    expect(onStatusChange).not.toHaveBeenCalled()
    const next = createRunLog('r1', 'e2')
    act(() => source.feed(next.next('run_started', { plan: PLAN })))
    act(() => feedCompleted(source, createRunLog('r1', 'e3')))
    expect(onStatusChange.mock.calls.map(([status]) => status)).toEqual(['running', 'completed'])
    expect(onComplete).toHaveBeenCalledTimes(2)
  })

  test('the latest callbacks are called without resubscribing', () => {
    const source = createTestStore()
    const log = createRunLog()
    const subscribe = vi.spyOn(source.store, 'subscribe')
    const first = vi.fn()
    const second = vi.fn()
    const { rerender } = renderHook(({ onComplete }) => useRun('r1', { onComplete }), {
      wrapper: wrap(source),
      initialProps: { onComplete: first },
    })
    const subscriptions = subscribe.mock.calls.length
    rerender({ onComplete: second })
    expect(subscribe.mock.calls.length).toBe(subscriptions)
    act(() => feedCompleted(source, log))
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
  })
})
