import { createFormat, DEFAULT_LABELS, mergeLabels } from '../../src/react/index'
import { labelsEqual } from '../../src/react/mergeLabels'

describe('createFormat', () => {
  test('durations pick a unit by size', () => {
    const f = createFormat('en-US')
    expect(f.duration(3_250)).toBe('3.3 sec')
    expect(f.duration(42_400)).toBe('42 sec')
    expect(f.duration(90_000)).toBe('2 min')
    expect(f.duration(5_400_000)).toBe('1.5 hr')
    expect(f.duration(-5)).toBe('0 sec')
  })

  test('numbers and percents follow the locale', () => {
    expect(createFormat('de').number(12345)).toBe('12.345')
    expect(createFormat('en-US').percent(0.425)).toBe('43%')
    expect(createFormat('ar-EG').number(12)).toBe('١٢')
  })

  test('a malformed locale falls back to the default instead of throwing', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const f = createFormat('not a locale!')
    expect(f.number(1)).toBe(createFormat().number(1))
    expect(error).toHaveBeenCalledOnce()
    error.mockRestore()
  })

  test('a malformed locale is reported once, not on every render that asks again', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    for (let i = 0; i < 5; i++) createFormat('also not a locale!')
    expect(error).toHaveBeenCalledOnce()
    expect(createFormat('also not a locale!')).toBe(createFormat('also not a locale!'))
    error.mockRestore()
  })
})

describe('mergeLabels', () => {
  test('later layers win and the maps merge key by key', () => {
    const labels = mergeLabels(
      { progress: 'A', runStatus: { failed: 'Échec' } },
      { progress: 'B' },
      undefined,
    )
    expect(labels.progress).toBe('B')
    expect(labels.runStatus.failed).toBe('Échec')
    expect(labels.runStatus.completed).toBe(DEFAULT_LABELS.runStatus.completed)
    expect(labels.eta('1 min')).toBe('about 1 min left')
  })

  test('the default value text reads like a sentence', () => {
    const text = DEFAULT_LABELS.valueText
    const base = { status: 'running' as const, statusLabel: 'Running', percent: '30%', estimated: false }
    expect(text({ ...base, phase: 'Search', count: '12 of 40', eta: 'about 1 min left' })).toBe(
      '30%, Search: 12 of 40, about 1 min left',
    )
    expect(text({ ...base, phase: 'Plan', estimated: true })).toBe('30% estimated, Plan')
    expect(text({ ...base, status: 'queued', statusLabel: 'Queued', queue: 'Waiting: next in line' })).toBe(
      'Waiting: next in line',
    )
    expect(text({ ...base, status: 'failed', statusLabel: 'Failed' })).toBe('Failed, 30%')
  })
})

describe('labelsEqual', () => {
  test('equal overrides compare equal one level into the grouped records', () => {
    const count = (d: string, t: string) => `${d}/${t}`
    expect(
      labelsEqual(
        { progress: 'A', runStatus: { failed: 'F' }, count },
        { progress: 'A', runStatus: { failed: 'F' }, count },
      ),
    ).toBe(true)
    expect(labelsEqual(undefined, undefined)).toBe(true)
  })

  test('any differing word, record entry or function makes them differ', () => {
    expect(labelsEqual({ progress: 'A' }, { progress: 'B' })).toBe(false)
    expect(labelsEqual({ runStatus: { failed: 'F' } }, { runStatus: { failed: 'G' } })).toBe(false)
    expect(labelsEqual({ progress: 'A' }, { progress: 'A', phases: 'P' })).toBe(false)
    expect(labelsEqual({ count: (d) => d }, { count: (d) => d })).toBe(false)
    expect(labelsEqual({ progress: 'A' }, undefined)).toBe(false)
  })
})
