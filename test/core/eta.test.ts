import { createEtaEstimator } from '../../src/core/eta'

describe('createEtaEstimator', () => {
  test('says nothing until it has enough samples, then estimates the time left at the observed rate', () => {
    const eta = createEtaEstimator({ intervalMs: 500, minSamples: 3 })
    // 1% per second, steadily.
    const results = [0, 1, 2, 3, 4].map((i) => eta.sample(0.1 + i * 0.005, i * 500))
    expect(results.slice(0, 3)).toEqual([null, null, null])
    expect(results[3]).toBeCloseTo((1 - 0.115) / 0.00001, -2)
    expect(results[4]).toBeCloseTo((1 - 0.12) / 0.00001, -2)
  })

  test('samples at most once per interval', () => {
    const eta = createEtaEstimator({ intervalMs: 1000, minSamples: 1 })
    eta.sample(0, 0)
    expect(eta.sample(0.5, 10)).toBeNull()
    expect(eta.sample(0.1, 1000)).toBe(9000)
    expect(eta.sample(0.9, 1100)).toBe(9000) // too soon: the previous answer stands
  })

  test('keeps its ETA through the quiet stretches of a backend that reports in bursts', () => {
    const eta = createEtaEstimator() // 500 ms interval, 3 samples
    const seen: (number | null)[] = []
    // 5% every 2 s, sampled every 250 ms as the store refreshes a live run.
    for (let t = 0; t <= 20_000; t += 250) seen.push(eta.sample(Math.floor(t / 2000) * 0.05, t))
    const fromThirdBurst = seen.slice((3 * 2000) / 250)
    expect(fromThirdBurst.every((value) => value !== null)).toBe(true)
    // The rate it learned is the true one: 5% per 2 s, so 50% left at t = 20 s is 20 s.
    expect(seen.at(-1)).toBeCloseTo(20_000, -2)
  })

  test('gives no ETA once a run is quiet for several of its usual intervals, and one again when it moves', () => {
    const eta = createEtaEstimator({ intervalMs: 500, minSamples: 3, stallIntervals: 3 })
    let p = 0
    for (let t = 0; t <= 2000; t += 500) {
      p = t / 100_000
      eta.sample(p, t)
    }
    expect(eta.sample(p, 2000 + 1500)).not.toBeNull() // quiet for 3 intervals: not yet
    expect(eta.sample(p, 2000 + 1501)).toBeNull() // longer: stalled
    expect(eta.sample(p + 0.01, 4000)).not.toBeNull() // it moved
  })

  test('never counts up through absurd values while stalled: the ETA holds, then goes away', () => {
    const eta = createEtaEstimator()
    let t = 0
    for (; t <= 3000; t += 250) eta.sample(0.4 + t / 100_000, t)
    const before = eta.sample(0.43, t)
    expect(before).not.toBeNull()
    for (let quiet = t + 250; quiet < t + 60_000; quiet += 250) {
      const value = eta.sample(0.43, quiet)
      if (value !== null) expect(value).toBe(before)
    }
    expect(eta.sample(0.43, t + 60_000)).toBeNull()
  })

  test('is 0 once progress reaches 1, and forgets everything on reset', () => {
    const eta = createEtaEstimator({ intervalMs: 100, minSamples: 1 })
    eta.sample(0.2, 0)
    eta.sample(0.4, 100)
    expect(eta.sample(1, 150)).toBe(0)
    eta.reset()
    expect(eta.sample(0.5, 1000)).toBeNull()
    expect(eta.sample(0.6, 1100)).not.toBeNull()
  })

  test('estimates stay sane (finite, non-negative) for monotone progress', () => {
    const eta = createEtaEstimator()
    let p = 0
    for (let t = 0; t < 20_000; t += 250) {
      p = Math.min(0.99, p + Math.random() * 0.01)
      const value = eta.sample(p, t)
      if (value !== null) {
        expect(Number.isFinite(value)).toBe(true)
        expect(value).toBeGreaterThanOrEqual(0)
      }
    }
  })
})
