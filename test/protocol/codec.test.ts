import fc from 'fast-check'
import { decodeClientFrame, decodeFrame, encodeFrame, utf8Length } from '../../src/protocol/codec'
import { MAX_FRAME_BYTES } from '../../src/protocol/types'
import { ev, heartbeat } from '../support/logs'

const plan = [{ id: 'a', label: 'A', weight: 1 }]
const started = ev('run_started', 1, { plan })
const json = (value: unknown) => JSON.stringify(value)
const code = (data: unknown) => {
  const result = decodeFrame(data)
  return result.ok ? 'ok' : result.error.code
}

describe('decodeFrame: size cap', () => {
  test('rejects a string longer than 64 KiB before parsing it', () => {
    const parse = vi.spyOn(JSON, 'parse')
    try {
      expect(code(`${'x'.repeat(MAX_FRAME_BYTES + 1)}`)).toBe('too_large')
      expect(parse).not.toHaveBeenCalled()
    } finally {
      parse.mockRestore()
    }
  })

  test('counts the UTF-8 length of a string, not its UTF-16 length', () => {
    // 30 000 three-byte characters: 30 000 UTF-16 units but 90 000 bytes.
    const text = json({ ...started, title: '€'.repeat(30_000) })
    expect(text.length).toBeLessThan(MAX_FRAME_BYTES)
    expect(code(text)).toBe('too_large')
  })

  test('accepts a frame of exactly the cap and rejects one byte more', () => {
    const base = json({ ...started, title: '' })
    const pad = (n: number) => json({ ...started, title: 'x'.repeat(n) })
    const exact = pad(MAX_FRAME_BYTES - base.length)
    expect(utf8Length(exact)).toBe(MAX_FRAME_BYTES)
    // title is capped at 4096 chars by the schema, so the exact-size frame is refused as invalid, not as too large.
    expect(code(exact)).toBe('invalid')
    expect(code(pad(MAX_FRAME_BYTES - base.length + 1))).toBe('too_large')
  })

  test('rejects oversized bytes (ArrayBuffer, typed array view, chunk list) before decoding', () => {
    const big = new Uint8Array(MAX_FRAME_BYTES + 1).fill(0x20)
    const decode = vi.spyOn(TextDecoder.prototype, 'decode')
    try {
      expect(code(big)).toBe('too_large')
      expect(decode).not.toHaveBeenCalled()
    } finally {
      decode.mockRestore()
    }
    expect(code(big)).toBe('too_large')
    expect(code(big.buffer)).toBe('too_large')
    expect(code([big.subarray(0, 40_000), big.subarray(40_000)])).toBe('too_large')
  })

  test('honours a smaller maxBytes', () => {
    const result = decodeFrame(json(started), 10)
    expect(result.ok ? null : result.error.code).toBe('too_large')
  })
})

describe('utf8Length', () => {
  test('matches TextEncoder for any string, lone surrogates included', () => {
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8Length(s)).toBe(encoder.encode(s).byteLength)
      }),
      { numRuns: 500 },
    )
    for (const s of ['\ud800\u4e00', '\ud800a', '\udc00\ud800', '😀', 'é', '\ud83d']) {
      expect(utf8Length(s)).toBe(encoder.encode(s).byteLength)
    }
  })
})

describe('decodeFrame: refusals with a reason', () => {
  test('bad JSON', () => {
    expect(code('{"v":1,')).toBe('bad_json')
    expect(code('')).toBe('bad_json')
  })

  test('a JSON value that is not an object', () => {
    for (const value of ['1', '"x"', 'null', '[]', 'true']) expect(code(value)).toBe('invalid')
  })

  test('a missing or wrong version', () => {
    expect(code(json({ ...started, v: 2 }))).toBe('bad_version')
    expect(code(json({ ...started, v: '1' }))).toBe('bad_version')
    const { v: _, ...noVersion } = started
    expect(code(json(noVersion))).toBe('bad_version')
  })

  test('an unknown or missing type, and client frame types sent by a server', () => {
    expect(code(json({ ...started, type: 'run_exploded' }))).toBe('unknown_type')
    expect(code(json({ ...started, type: 42 }))).toBe('unknown_type')
    expect(code(json({ v: 1, type: 'subscribe', run: 'r' }))).toBe('unknown_type')
  })

  test('__proto__, constructor and other prototype names as type are unknown types', () => {
    for (const type of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(code(`{"v":1,"type":${json(type)},"run":"r","epoch":"e","seq":1,"ts":0}`)).toBe('unknown_type')
    }
  })

  test('__proto__ and constructor keys do not pollute any prototype and do not reach the frame', () => {
    const text = `{"v":1,"type":"queued","run":"r","epoch":"e","seq":1,"ts":0,"position":1,"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}`
    const result = decodeFrame(text)
    expect(result.ok).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
    if (result.ok) {
      expect(Object.getPrototypeOf(result.frame)).toBe(Object.prototype)
      expect(Object.hasOwn(result.frame, '__proto__')).toBe(false)
      expect(Object.hasOwn(result.frame, 'constructor')).toBe(false)
    }
    const nested = `{"v":1,"type":"snapshot","run":"r","epoch":"e","seq":1,"ts":0,"state":{"status":"running","phases":[],"activity":[],"__proto__":{"polluted":2}}}`
    expect(code(nested)).toBe('ok')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('invalid UTF-8 bytes', () => {
    expect(code(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toBe('bad_encoding')
    expect(code(new Uint8Array([0xed, 0xa0, 0x80]))).toBe('bad_encoding') // an encoded surrogate
  })

  test('values that are neither text nor bytes', () => {
    for (const value of [undefined, null, 42, {}, [1, 2], Object.create(null), () => 1]) {
      expect(code(value)).toBe('bad_encoding')
    }
  })

  test('Infinity from 1e400 and other non-finite numbers', () => {
    expect(code(json(started).replace('"ts":', '"ts":1e400,"x":'))).toBe('invalid')
    expect(code(`{"v":1,"type":"heartbeat","run":"r","epoch":"e","head":1e400,"ts":0}`)).toBe('invalid')
    expect(
      code(
        json({ ...started, plan: [{ id: 'a', label: 'A', weight: 1, expectedMs: 1 }] }).replace(
          '"expectedMs":1',
          '"expectedMs":1e400',
        ),
      ),
    ).toBe('invalid')
  })

  test('negative, zero, float and unsafe seq', () => {
    for (const seq of [-1, 0, 1.5, 2 ** 53]) expect(code(json({ ...started, seq }))).toBe('invalid')
    expect(code(json({ ...started, seq: 2 ** 53 - 1 }))).toBe('ok')
  })

  test('done greater than total, negative or float counts', () => {
    const progress = ev('phase_progress', 2, { phase: 'a', done: 3, total: 2 })
    expect(code(json(progress))).toBe('invalid')
    expect(code(json({ ...progress, done: -1 }))).toBe('invalid')
    expect(code(json({ ...progress, done: 0.5 }))).toBe('invalid')
    expect(code(json({ ...progress, done: 2 }))).toBe('ok')
    const task = ev('task_progress', 2, { phase: 'a', task: 't', done: 5, total: 4 })
    expect(code(json(task))).toBe('invalid')
  })

  test('plan weights: negative, all zero, empty plan and duplicate ids are invalid', () => {
    const withPlan = (p: unknown) => code(json({ ...started, plan: p }))
    expect(
      withPlan([
        { id: 'a', label: 'A', weight: -1 },
        { id: 'b', label: 'B', weight: 1 },
      ]),
    ).toBe('invalid')
    expect(withPlan([{ id: 'a', label: 'A', weight: 0 }])).toBe('invalid')
    expect(withPlan([])).toBe('invalid')
    expect(
      withPlan([
        { id: 'a', label: 'A', weight: 1 },
        { id: 'a', label: 'B', weight: 1 },
      ]),
    ).toBe('invalid')
    expect(
      withPlan([
        { id: 'a', label: 'A', weight: 0 },
        { id: 'b', label: 'B', weight: 0.5 },
      ]),
    ).toBe('ok')
  })

  test('wrong field types and out-of-range strings name the field', () => {
    const result = decodeFrame(json({ ...started, run: '' }))
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.detail).toContain('run')
    expect(code(json({ ...started, epoch: 'e'.repeat(65) }))).toBe('invalid')
    expect(code(json({ ...started, run: 'r'.repeat(129) }))).toBe('invalid')
    expect(code(json({ ...started, ts: '0' }))).toBe('invalid')
  })
})

describe('decodeFrame: accepted frames', () => {
  test('accepts text, bytes and a chunk list of the same frame alike', () => {
    const text = json(started)
    const bytes = new TextEncoder().encode(text)
    expect(decodeFrame(text)).toEqual({ ok: true, frame: started })
    expect(decodeFrame(bytes)).toEqual({ ok: true, frame: started })
    expect(decodeFrame(bytes.buffer)).toEqual({ ok: true, frame: started })
    expect(decodeFrame(new DataView(bytes.buffer))).toEqual({ ok: true, frame: started })
    expect(decodeFrame([bytes.subarray(0, 5), bytes.subarray(5)])).toEqual({ ok: true, frame: started })
  })

  test('drops unknown keys instead of passing them on', () => {
    const result = decodeFrame(json({ ...started, extra: 'x' }))
    expect(result.ok && 'extra' in result.frame).toBe(false)
  })

  test('heartbeats and error frames', () => {
    expect(decodeFrame(json(heartbeat(3)))).toEqual({ ok: true, frame: heartbeat(3) })
    const error = { v: 1, type: 'error', code: 'unknown_run', message: 'no such run', run: 'r' }
    expect(decodeFrame(json(error))).toEqual({ ok: true, frame: error })
  })
})

describe('decodeFrame: v1.1 frames', () => {
  test('a heartbeat may carry idle, and an old-style heartbeat without it still decodes', () => {
    const withIdle = { ...heartbeat(3), idle: 4500 }
    expect(decodeFrame(json(withIdle))).toEqual({ ok: true, frame: withIdle })
    expect(decodeFrame(json(heartbeat(3)))).toEqual({ ok: true, frame: heartbeat(3) })
    for (const idle of [-1, 1.5, '10', null]) expect(code(json({ ...heartbeat(3), idle }))).toBe('invalid')
  })

  test('a heartbeat of a run with nothing issued has head 0 and no epoch; with head > 0 the epoch is required', () => {
    const { epoch: _, ...empty } = { ...heartbeat(0), idle: 0 }
    expect(decodeFrame(json(empty))).toEqual({ ok: true, frame: empty })
    const { epoch: __, ...headless } = heartbeat(2)
    const refused = decodeFrame(json(headless))
    expect(refused.ok ? null : refused.error).toEqual({
      code: 'invalid',
      detail: 'heartbeat: epoch required when head > 0',
    })
    // An epoch with head 0 is still a valid (old-style) heartbeat.
    expect(code(json(heartbeat(0)))).toBe('ok')
  })

  test('subscribed: with or without a run behind it, and never with a head but no epoch', () => {
    const live = { v: 1, type: 'subscribed', run: 'r', head: 12, epoch: 'e', heartbeatMs: 10_000 }
    const waiting = { v: 1, type: 'subscribed', run: 'r', head: 0, heartbeatMs: 250 }
    expect(decodeFrame(json(live))).toEqual({ ok: true, frame: live })
    expect(decodeFrame(json(waiting))).toEqual({ ok: true, frame: waiting })
    expect(code(json({ ...waiting, head: 1 }))).toBe('invalid')
    for (const heartbeatMs of [0, -5, '10', null])
      expect(code(json({ ...live, heartbeatMs }))).toBe('invalid')
    const { heartbeatMs: _, ...noPeriod } = live
    expect(code(json(noPeriod))).toBe('invalid')
    expect(code(json({ ...live, run: '' }))).toBe('invalid')
  })

  test('the hot path takes heartbeats with idle and without epoch as they are', () => {
    const parse = (frame: object) => decodeFrame(json(frame))
    const { epoch: _, ...empty } = { ...heartbeat(0), idle: 12 }
    for (const frame of [{ ...heartbeat(7), idle: 0 }, empty])
      expect(parse(frame)).toEqual({ ok: true, frame })
  })
})

describe('encodeFrame', () => {
  test('round-trips every server and client frame through decode', () => {
    const frames = [
      started,
      ev('phase_progress', 2, { phase: 'a', done: 1, total: 2, label: 'one' }),
      ev('task_progress', 3, { phase: 'a', task: 't', done: 0, total: 0 }),
      ev('tool_executing', 4, { call: 'c', tool: 'search', agent: 'x' }),
      ev('run_failed', 5, { error: 'boom' }),
      heartbeat(5),
      { ...heartbeat(6), idle: 300 },
      { v: 1, type: 'subscribed', run: 'r', head: 0, heartbeatMs: 1000 },
    ] as const
    for (const frame of frames) expect(decodeFrame(encodeFrame(frame))).toEqual({ ok: true, frame })
    const clientFrames = [
      { v: 1, type: 'subscribe', run: 'r', epoch: 'e', after: 3 },
      { v: 1, type: 'subscribe', run: 'r' },
      { v: 1, type: 'resync', run: 'r', epoch: 'e', after: 0 },
      { v: 1, type: 'unsubscribe', run: 'r' },
    ] as const
    for (const frame of clientFrames)
      expect(decodeClientFrame(encodeFrame(frame))).toEqual({ ok: true, frame })
  })

  test('decodeClientFrame refuses server frames and a resync without epoch', () => {
    expect(decodeClientFrame(json(started)).ok).toBe(false)
    expect(decodeClientFrame(json({ v: 1, type: 'resync', run: 'r', after: 1 })).ok).toBe(false)
  })
})

describe('decodeFrame never throws', () => {
  const neverThrows = (data: unknown) => {
    const result = decodeFrame(data)
    expect(typeof result.ok).toBe('boolean')
    if (!result.ok) expect(typeof result.error.detail).toBe('string')
  }

  test('for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), neverThrows), { numRuns: 500 })
  })

  test('for arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), neverThrows), { numRuns: 500 })
  })

  test('for arbitrary JSON and JS values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => neverThrows(JSON.stringify(value))),
      { numRuns: 300 },
    )
    fc.assert(fc.property(fc.anything(), neverThrows), { numRuns: 300 })
  })

  test('for mutated valid frames', () => {
    const keys = Object.keys(started)
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (key, value) => {
        neverThrows(JSON.stringify({ ...started, [key]: value }) ?? '')
      }),
      { numRuns: 300 },
    )
  })

  test('for hostile objects whose getters throw', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('getter')
        },
        getPrototypeOf() {
          throw new Error('proto')
        },
      },
    )
    neverThrows(hostile)
    const withConstructor = Object.defineProperty({}, 'constructor', {
      get() {
        throw new Error('constructor')
      },
    })
    neverThrows(withConstructor)
  })
})
