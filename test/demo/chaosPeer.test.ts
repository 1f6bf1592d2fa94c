import { CALM, type ChaosSettings, createChaosPeer, parseChaos, parseDuration } from '../../demo/chaosPeer'
import { seededRandom } from '../../demo/simulateResearchRun'

function setup(settings: Partial<ChaosSettings>, seed = 3) {
  const sent: string[] = []
  const closes: [number, string][] = []
  let now = 0
  let tick: (() => void) | null = null
  const chaos = createChaosPeer(
    {
      send: (text) => sent.push(text),
      bufferedAmount: 0,
      close: (code, reason) => closes.push([code, reason]),
    },
    {
      settings: () => ({ ...CALM, ...settings }),
      random: seededRandom(seed),
      now: () => now,
      setInterval: (fn) => {
        tick = fn
        return 1
      },
      clearInterval: () => {
        tick = null
      },
    },
  )
  const advance = (ms: number) => {
    for (let i = 0; i < ms / 100; i++) {
      now += 100
      tick?.()
    }
  }
  return { chaos, sent, closes, advance, ticking: () => tick !== null }
}

const frames = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1))

describe('createChaosPeer: stall', () => {
  it('keeps the connection open and sends nothing more, held frames included', () => {
    const { chaos, sent, closes, advance } = setup({ reorder: 0.5 })
    for (const frame of frames(10)) chaos.send(frame)
    const before = sent.length
    chaos.stall()
    for (const frame of frames(20)) chaos.send(frame)
    advance(2_000)
    expect(sent).toHaveLength(before)
    expect(closes).toEqual([])
    expect(chaos.stalled).toBe(true)
    expect(chaos.stats().swallowed).toBeGreaterThanOrEqual(20)
  })
})

describe('createChaosPeer', () => {
  it('passes every frame through in order when calm', () => {
    const { chaos, sent } = setup({})
    for (const frame of frames(50)) chaos.send(frame)
    expect(sent).toEqual(frames(50))
  })

  it('reorders within a small window but loses nothing', () => {
    const { chaos, sent, advance } = setup({ reorder: 0.3 })
    for (const frame of frames(200)) chaos.send(frame)
    advance(1000) // held frames go out after holdMs even when no later frame comes
    expect([...sent].sort((a, b) => Number(a) - Number(b))).toEqual(frames(200))
    expect(sent).not.toEqual(frames(200))
    // No frame overtakes by more than the window (4 later frames) plus the frames released with it.
    const displacement = sent.map((frame, index) => index - (Number(frame) - 1))
    expect(Math.max(...displacement)).toBeLessThanOrEqual(12)
    expect(chaos.stats().reordered).toBeGreaterThan(20)
  })

  it('duplicates and drops at about the asked rates, reproducibly from the seed', () => {
    const run = () => {
      const { chaos, sent, advance } = setup({ duplicate: 0.1, drop: 0.1 }, 11)
      for (const frame of frames(1000)) chaos.send(frame)
      advance(1000)
      return { sent, stats: chaos.stats() }
    }
    const first = run()
    expect(first.stats.dropped).toBeGreaterThan(60)
    expect(first.stats.dropped).toBeLessThan(140)
    expect(first.stats.duplicated).toBeGreaterThan(50)
    expect(new Set(first.sent).size).toBe(1000 - first.stats.dropped)
    expect(first.sent.length).toBe(1000 - first.stats.dropped + first.stats.duplicated)
    expect(run().sent).toEqual(first.sent)
  })

  it('kills the connection killEveryMs after it opened, once, and sends nothing after', () => {
    const { chaos, sent, closes, advance, ticking } = setup({ killEveryMs: 1500, reorder: 1 })
    chaos.send('held')
    advance(1400)
    expect(closes).toEqual([])
    advance(200)
    expect(closes).toEqual([[4000, 'chaos: connection killed']])
    chaos.send('after')
    chaos.kill()
    expect(sent.includes('after')).toBe(false)
    expect(closes).toHaveLength(1)
    expect(ticking()).toBe(false)
  })

  it('stops its timer when the hub closes the peer', () => {
    const { chaos, closes, ticking } = setup({})
    chaos.close(1001, 'server shutting down')
    expect(closes).toEqual([[1001, 'server shutting down']])
    expect(ticking()).toBe(false)
  })
})

describe('parseChaos', () => {
  it('reads the command-line spec', () => {
    expect(parseChaos('reorder=0.1,dup=0.05,drop=0.02,kill=15s')).toEqual({
      reorder: 0.1,
      duplicate: 0.05,
      drop: 0.02,
      killEveryMs: 15_000,
    })
    expect(parseChaos('kill=500ms')).toEqual({ ...CALM, killEveryMs: 500 })
  })

  it('names the bad part', () => {
    expect(() => parseChaos('reorder=2')).toThrow(/reorder must be a rate/)
    expect(() => parseChaos('jitter=0.1')).toThrow(/unknown chaos "jitter"/)
    expect(() => parseDuration('soon')).toThrow(/bad duration/)
    expect(parseDuration('2m')).toBe(120_000)
    expect(parseDuration('off')).toBe(0)
  })
})
