import { createReconnectPolicy } from '../../src/transport/createReconnectPolicy'

describe('createReconnectPolicy', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const timers = {
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  }
  /** How long `sleep()` takes on the fake clock. */
  async function slept(policy: ReturnType<typeof createReconnectPolicy>) {
    const start = Date.now()
    let done = false
    void policy.sleep().then(() => {
      done = true
    })
    while (!done) {
      await vi.advanceTimersToNextTimerAsync()
      if (vi.getTimerCount() === 0) await Promise.resolve()
    }
    return Date.now() - start
  }

  it('waits nothing for the first attempt, then random × min(max, min × grow^(n-1)) per retry', async () => {
    const options = { minReconnectionDelay: 100, maxReconnectionDelay: 300, reconnectionDelayGrowFactor: 2 }
    const policy = createReconnectPolicy(options, () => 0.5, timers)
    expect(await slept(policy)).toBe(0)
    const delays = []
    for (let i = 0; i < 4; i++) {
      policy.failed()
      delays.push(await slept(policy))
    }
    expect(delays).toEqual([50, 100, 150, 150])
    expect(policy.attempt).toBe(4)
  })

  it('resets the count only after a connection stayed up for minUptime', () => {
    const policy = createReconnectPolicy({ minUptime: 1000 }, () => 0, timers)
    policy.failed()
    policy.failed()
    policy.opened()
    vi.advanceTimersByTime(999)
    policy.failed() // lost before it was stable: the count goes on
    expect(policy.attempt).toBe(3)
    vi.advanceTimersByTime(5000)
    expect(policy.attempt).toBe(3)
    policy.opened()
    vi.advanceTimersByTime(1000)
    expect(policy.attempt).toBe(0)
  })

  it('is exhausted past maxRetries', () => {
    const policy = createReconnectPolicy({ maxRetries: 2 }, () => 0, timers)
    policy.failed()
    policy.failed()
    expect(policy.exhausted()).toBe(false)
    policy.failed()
    expect(policy.exhausted()).toBe(true)
  })

  it('cancel wakes a pending sleep at once and leaves no timer behind', async () => {
    const policy = createReconnectPolicy({ minUptime: 1000 }, () => 1, timers)
    policy.failed()
    let woke = false
    void policy.sleep().then(() => {
      woke = true
    })
    policy.opened()
    expect(vi.getTimerCount()).toBe(2)
    policy.cancel()
    await Promise.resolve()
    expect(woke).toBe(true)
    expect(vi.getTimerCount()).toBe(0)
  })
})
