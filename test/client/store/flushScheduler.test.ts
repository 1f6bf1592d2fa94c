import { createFlushScheduler, defaultSchedulerEnv } from '../../../src/client/flushScheduler'
import { createFakeWorld } from './fakeWorld'

describe('createFlushScheduler', () => {
  test("'sync' flushes on every schedule", () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 'sync', world.env)
    scheduler.schedule()
    scheduler.schedule()
    expect(flush).toHaveBeenCalledTimes(2)
    expect(world.timerCount() + world.frameCount()).toBe(0)
  })

  test("'frame' turns any number of schedules into one flush on the next animation frame", () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 'frame', world.env)
    for (let i = 0; i < 50; i++) scheduler.schedule()
    expect(flush).not.toHaveBeenCalled()
    expect(world.frameCount()).toBe(1)
    world.frame()
    expect(flush).toHaveBeenCalledTimes(1)
    scheduler.schedule()
    world.frame()
    expect(flush).toHaveBeenCalledTimes(2)
  })

  test("'frame' falls back to a 16 ms timer without requestAnimationFrame", () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const { requestAnimationFrame: _, cancelAnimationFrame: __, ...timersOnly } = world.env
    const scheduler = createFlushScheduler(flush, 'frame', timersOnly)
    scheduler.schedule()
    scheduler.schedule()
    world.advance(15)
    expect(flush).not.toHaveBeenCalled()
    world.advance(1)
    expect(flush).toHaveBeenCalledTimes(1)
  })

  test('a number flushes once that many ms after the first schedule', () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 100, world.env)
    scheduler.schedule()
    world.advance(60)
    scheduler.schedule()
    world.advance(40)
    expect(flush).toHaveBeenCalledTimes(1)
    world.advance(1000)
    expect(flush).toHaveBeenCalledTimes(1)
  })

  test('after a flush that kept the thread busy for half a frame or more, the next one waits as long first', () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 'frame', world.env)
    scheduler.busy(40)
    scheduler.schedule()
    expect(world.frameCount()).toBe(0)
    world.advance(39)
    world.frame()
    expect(flush).not.toHaveBeenCalled()
    world.advance(1)
    expect(world.frameCount()).toBe(1) // the rest is over: the flush still waits for a frame
    world.frame()
    expect(flush).toHaveBeenCalledTimes(1)
    // The rest applies once; a light flush (under 8 ms) leaves the next one at the next frame.
    scheduler.busy(5)
    scheduler.schedule()
    world.frame()
    expect(flush).toHaveBeenCalledTimes(2)
  })

  test('a rest counts from the heavy flush: a schedule after the thread was idle as long flushes at the next frame', () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 'frame', world.env)
    scheduler.busy(40)
    world.advance(100)
    scheduler.schedule()
    expect(world.frameCount()).toBe(1)
    world.frame()
    expect(flush).toHaveBeenCalledTimes(1)
  })

  test("'sync' never rests", () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 'sync', world.env)
    scheduler.busy(100)
    scheduler.schedule()
    expect(flush).toHaveBeenCalledTimes(1)
    expect(world.timerCount()).toBe(0)
  })

  test('a rest that is pending is cancelled like any flush', () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const scheduler = createFlushScheduler(flush, 'frame', world.env)
    scheduler.busy(30)
    scheduler.schedule()
    scheduler.cancel()
    world.advance(100)
    world.frame()
    expect(flush).not.toHaveBeenCalled()
    expect(world.timerCount() + world.frameCount()).toBe(0)
  })

  test('cancel forgets a pending flush, timer or frame', () => {
    const world = createFakeWorld()
    const flush = vi.fn()
    const timed = createFlushScheduler(flush, 50, world.env)
    timed.schedule()
    timed.cancel()
    world.advance(100)
    const framed = createFlushScheduler(flush, 'frame', world.env)
    framed.schedule()
    framed.cancel()
    world.frame()
    expect(flush).not.toHaveBeenCalled()
    framed.schedule() // cancel leaves it usable
    world.frame()
    expect(flush).toHaveBeenCalledTimes(1)
  })

  test('a flush that schedules again gets a new flush, not a lost one', () => {
    const world = createFakeWorld()
    let count = 0
    const scheduler = createFlushScheduler(
      () => {
        count++
        if (count === 1) scheduler.schedule()
      },
      'frame',
      world.env,
    )
    scheduler.schedule()
    world.frame()
    world.frame()
    expect(count).toBe(2)
  })

  test('the default env looks the host timers up when called, not at creation', () => {
    const env = defaultSchedulerEnv()
    const spy = vi.spyOn(globalThis, 'setTimeout')
    try {
      const handle = env.setTimeout(() => {}, 1)
      expect(spy).toHaveBeenCalledTimes(1)
      env.clearTimeout(handle)
    } finally {
      spy.mockRestore()
    }
  })
})
