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

  test('gives no ETA for a stalled run rather than an absurd one', () => {
    const eta = createEtaEstimator({ intervalMs: 100, minSamples: 1, smoothing: 1 })
    eta.sample(0.2, 0)
    expect(eta.sample(0.3, 100)).not.toBeNull()
    expect(eta.sample(0.3, 200)).toBeNull()
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
