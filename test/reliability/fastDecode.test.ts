import fc from 'fast-check'
import * as v from 'valibot'
import { fastDecode } from '../../src/protocol/fastDecode'
import { eventSchemas } from '../../src/protocol/schemas'

// The fast path may only ever say "valid" when valibot says so, and must then build the same object.
const schemaOf = (type: string) => eventSchemas[type as keyof typeof eventSchemas]

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
// No `undefined`: JSON.parse never yields a key whose value is undefined (absent keys are covered by requiredKeys).
const anyValue = fc.oneof(
  edgeNumber,
  edgeString,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
)
// Mostly well-formed values, sometimes a boundary or a wrong type: most frames are valid, many are near misses.
const field = (good: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 30, arbitrary: good },
    { weight: 2, arbitrary: edge },
    { weight: 1, arbitrary: anyValue },
  )
const goodId = fc.string({ minLength: 1, maxLength: 12 })

const progressFrame = fc.record(
  {
    v: fc.constant(1),
    type: fc.constantFrom('phase_progress', 'task_progress'),
    run: field(goodId, edgeString),
    epoch: field(goodId, edgeString),
    seq: field(fc.integer({ min: 1, max: 10_000 }), edgeNumber),
    ts: field(fc.double({ noNaN: true, noDefaultInfinity: true }), edgeNumber),
    phase: field(goodId, edgeString),
    task: field(goodId, edgeString),
    done: field(fc.nat(100), edgeNumber),
    total: field(fc.integer({ min: 100, max: 1000 }), edgeNumber),
    label: field(fc.string({ maxLength: 20 }), edgeString),
    extra: anyValue,
  },
  { requiredKeys: ['v', 'type', 'run', 'epoch', 'seq', 'ts', 'phase', 'done', 'total'] },
)

describe('fastDecode', () => {
  test('accepts only what the schema accepts, and builds the same object in the same key order', () => {
    let accepted = 0
    fc.assert(
      fc.property(progressFrame, (input) => {
        const frame = input as Record<string, unknown>
        const fast = fastDecode(frame, frame.type as string)
        const slow = v.safeParse(schemaOf(frame.type as string), frame, { abortEarly: true })
        if (fast === null) return
        accepted++
        expect(slow.success).toBe(true)
        expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.output))
        expect(Object.keys(fast)).toEqual(Object.keys(slow.output as object))
      }),
      { numRuns: 20_000, seed: 6 },
    )
    // The generator must actually reach the fast path, or the test above proves nothing.
    expect(accepted).toBeGreaterThan(500)
  })

  test('accepts a typical progress frame of either style', () => {
    const base = { v: 1, run: 'r', epoch: 'e', seq: 3, ts: 1.5, phase: 'p', done: 2, total: 5 }
    expect(fastDecode({ ...base, type: 'phase_progress', label: 'x', junk: 1 }, 'phase_progress')).toEqual({
      ...base,
      type: 'phase_progress',
      label: 'x',
    })
    expect(fastDecode({ ...base, type: 'task_progress', task: 't' }, 'task_progress')).toEqual({
      ...base,
      type: 'task_progress',
      task: 't',
    })
  })

  test('leaves every other type, and every doubtful frame, to the schema', () => {
    const base = { v: 1, run: 'r', epoch: 'e', seq: 3, ts: 1, phase: 'p', done: 2, total: 5 }
    expect(fastDecode({ ...base, type: 'phase_started' }, 'phase_started')).toBeNull()
    expect(fastDecode({ ...base, type: 'phase_progress', done: 6 }, 'phase_progress')).toBeNull()
    expect(fastDecode({ ...base, type: 'phase_progress', seq: 0 }, 'phase_progress')).toBeNull()
    expect(fastDecode({ ...base, type: 'task_progress' }, 'task_progress')).toBeNull()
  })
})
