import fc from 'fast-check'
import * as v from 'valibot'
import { decodeFrame } from '../../src/protocol/codec'
import { fastDecode } from '../../src/protocol/fastDecode'
import { controlSchemas, eventSchemas } from '../../src/protocol/schemas'

// The fast path must say "valid" exactly when valibot does (for frames without unknown keys), and then hand back
// an object equal to valibot's output; with an unknown key it must leave the frame to valibot, which strips it.
const schemas: Record<string, v.GenericSchema> = { ...eventSchemas, ...controlSchemas }

const edgeNumber = fc.oneof(
  fc.integer({ min: -3, max: 1_000 }),
  fc.constantFrom(
    0,
    -0,
    1,
    2 ** 53 - 1,
    2 ** 53,
    1.5,
    -1,
    Number.MAX_VALUE,
    Number.POSITIVE_INFINITY,
    Number.NaN,
  ),
  fc.double(),
)
const edgeString = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom(
    '',
    'a',
    'x'.repeat(64),
    'x'.repeat(65),
    'x'.repeat(128),
    'x'.repeat(129),
    'y'.repeat(4096),
    'y'.repeat(4097),
  ),
)
// No `undefined`: JSON.parse never yields a key whose value is undefined (absent keys are covered below).
const anyValue = fc.oneof(
  edgeNumber,
  edgeString,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
)
// Mostly well-formed values, sometimes a boundary or a wrong type: most frames are valid, many are near misses.
const field = (good: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown> = anyValue) =>
  fc.oneof(
    { weight: 30, arbitrary: good },
    { weight: 2, arbitrary: edge },
    { weight: 1, arbitrary: anyValue },
  )
const id = field(fc.string({ minLength: 1, maxLength: 12 }), edgeString)
const text = field(fc.string({ maxLength: 20 }), edgeString)
const count = field(fc.nat(1_000), edgeNumber)
const flag = field(fc.boolean())

type Fields = Record<string, fc.Arbitrary<unknown>>
const envelope: Fields = {
  run: id,
  epoch: id,
  seq: field(fc.integer({ min: 1, max: 10_000 }), edgeNumber),
  ts: field(fc.double({ noNaN: true, noDefaultInfinity: true }), edgeNumber),
}
const progress: Fields = {
  phase: id,
  done: field(fc.nat(100), edgeNumber),
  total: field(fc.integer({ min: 100, max: 1000 }), edgeNumber),
}
// Per type: required body fields, then optional ones. The types fastDecode takes (the rest goes to valibot).
const shapes: Record<string, [Fields, Fields]> = {
  phase_progress: [progress, { label: text }],
  task_progress: [{ ...progress, task: id }, { label: text }],
  agent_started: [{ agent: id }, { ok: flag }],
  agent_completed: [{ agent: id }, { ok: flag }],
  agent_thinking: [{ agent: id, text }, {}],
  tool_executing: [
    { call: id, tool: id },
    { agent: id, ok: flag },
  ],
  tool_completed: [
    { call: id, tool: id },
    { agent: id, ok: flag },
  ],
  // head 0 is common so that a heartbeat without epoch (decision 10) is reached often.
  heartbeat: [
    { run: id, head: field(fc.constantFrom(0, 0, 1, 7), edgeNumber), ts: envelope.ts! },
    { epoch: id, idle: count },
  ],
}

const frameArb = fc.constantFrom(...Object.keys(shapes)).chain((type) => {
  const [required, optional] = shapes[type]!
  const head = type === 'heartbeat' ? {} : envelope
  const requiredKeys = Object.keys({ ...head, ...required })
  return fc
    .record({
      body: fc.record({ ...head, ...required, ...optional }, { requiredKeys }),
      // Now and then a required key is missing, or a key the schema does not know is added.
      drop: fc.option(fc.constantFrom(...requiredKeys), { freq: 8 }),
      extra: fc.option(fc.constantFrom('extra', '__proto__', 'constructor', 'seq'), { freq: 8 }),
      extraValue: anyValue,
    })
    .map(({ body, drop, extra, extraValue }) => {
      const frame: Record<string, unknown> = { v: 1, type, ...body }
      if (drop !== null) delete frame[drop]
      if (extra !== null && !(extra in frame))
        Object.defineProperty(frame, extra, {
          value: extraValue,
          enumerable: true,
          configurable: true,
          writable: true,
        })
      return { frame, unknownKey: extra !== null && !Object.hasOwn(body, extra) && extra !== 'seq' }
    })
})

describe('fastDecode', () => {
  test('accepts exactly what the schema accepts, as the same object valibot builds', () => {
    const accepted: Record<string, number> = {}
    fc.assert(
      fc.property(frameArb, ({ frame, unknownKey }) => {
        const type = frame.type as string
        const slow = v.safeParse(schemas[type]!, frame, { abortEarly: true })
        const fast = fastDecode(frame, type)
        if (fast === null) {
          // Refused: valibot refuses too, or the frame carries a key valibot has to strip.
          expect(
            slow.success &&
              !unknownKey &&
              Object.keys(frame).length === Object.keys(slow.output as object).length,
          ).toBe(false)
          return
        }
        accepted[type] = (accepted[type] ?? 0) + 1
        expect(slow.success).toBe(true)
        expect(fast).toBe(frame) // no copy
        expect(fast).toStrictEqual(slow.output)
      }),
      { numRuns: 40_000, seed: 6 },
    )
    // The generator must reach the fast path of every type, or the test above proves little.
    for (const type of Object.keys(shapes)) expect(accepted[type] ?? 0).toBeGreaterThan(100)
  })

  test('accepts a typical progress frame of either style as it is', () => {
    const base = { v: 1, run: 'r', epoch: 'e', seq: 3, ts: 1.5, phase: 'p', done: 2, total: 5 }
    const phase = { ...base, type: 'phase_progress', label: 'x' }
    expect(fastDecode(phase, 'phase_progress')).toBe(phase)
    const task = { ...base, type: 'task_progress', task: 't' }
    expect(fastDecode(task, 'task_progress')).toBe(task)
  })

  test('leaves the rare types, errors, unknown keys and every doubtful frame to the schema', () => {
    const base = { v: 1, run: 'r', epoch: 'e', seq: 3, ts: 1, phase: 'p', done: 2, total: 5 }
    const plan = [{ id: 'a', label: 'A', weight: 1 }]
    expect(fastDecode({ ...base, type: 'run_started', plan }, 'run_started')).toBeNull()
    const { done: _, total: __, ...phaseOnly } = base
    for (const type of ['phase_started', 'phase_completed', 'phase_skipped']) {
      expect(fastDecode({ ...phaseOnly, type }, type)).toBeNull()
      expect(decodeFrame(JSON.stringify({ ...phaseOnly, type }))).toEqual({
        ok: true,
        frame: { ...phaseOnly, type },
      })
    }
    const { phase: ___, ...envelopeOnly } = phaseOnly
    expect(fastDecode({ ...envelopeOnly, type: 'run_completed' }, 'run_completed')).toBeNull()
    expect(fastDecode({ ...base, type: 'phase_progress', junk: 1 }, 'phase_progress')).toBeNull()
    expect(fastDecode({ ...base, type: 'phase_progress', done: 6 }, 'phase_progress')).toBeNull()
    expect(fastDecode({ ...base, type: 'phase_progress', seq: 0 }, 'phase_progress')).toBeNull()
    expect(fastDecode({ ...base, type: 'task_progress' }, 'task_progress')).toBeNull()
    expect(fastDecode({ v: 1, type: 'error', code: 'x', message: 'y' }, 'error')).toBeNull()
    expect(fastDecode({ ...base, type: 'toString' }, 'toString')).toBeNull()
  })

  test('a `__proto__` key from the wire sends the frame to valibot, which drops it', () => {
    const text =
      '{"v":1,"type":"phase_started","run":"r","epoch":"e","seq":1,"ts":1,"phase":"p","__proto__":{"x":1}}'
    expect(fastDecode(JSON.parse(text), 'phase_started')).toBeNull()
    const decoded = decodeFrame(text)
    expect(decoded.ok && Object.hasOwn(decoded.frame, '__proto__')).toBe(false)
    expect(decoded).toEqual({
      ok: true,
      frame: { v: 1, type: 'phase_started', run: 'r', epoch: 'e', seq: 1, ts: 1, phase: 'p' },
    })
  })
})
