import { createRandom } from '../../bench/frameMix'
import { createProgressStore, type ProgressError } from '../../src/client/createProgressStore'
import type { HubPeer } from '../../src/server/createConnection'
import { createProgressHub } from '../../src/server/createProgressHub'

/** 100,000 malformed frames of every kind the wire can produce, deterministic from a seed. */
const FRAMES = 100_000
const MB = 'x'.repeat(1024 * 1024)
const MB_FRAME = `{"v":1,"type":"agent_thinking","run":"run-1","epoch":"e1","seq":5,"ts":1,"agent":"a","text":"${MB}"}`
const valid = {
  v: 1,
  type: 'phase_progress',
  run: 'run-1',
  epoch: 'e1',
  seq: 4,
  ts: 1_700_000_000_000,
  phase: 'a',
  done: 3,
  total: 10,
}
// Values of the wrong JSON type for each field (a wrong *value* of the right type is another kind below).
const notString: unknown[] = [null, true, [], {}, 1, -1, { length: 1 }]
const notNumber: unknown[] = [null, true, [], {}, '1', 'x', [1]]
const typedKeys = ['run', 'epoch', 'seq', 'ts', 'phase', 'done', 'total'] as const
const keys = Object.keys(valid) as (keyof typeof valid)[]
const encoder = new TextEncoder()

type Kind = (random: () => number) => unknown

const kinds: Record<string, Kind> = {
  truncated: (random) => {
    const text = JSON.stringify(valid)
    return text.slice(0, Math.floor(random() * (text.length - 1)))
  },
  wrongType: (random) => {
    const key = typedKeys[Math.floor(random() * typedKeys.length)]!
    const wrong = typeof valid[key] === 'string' ? notString : notNumber
    return JSON.stringify({ ...valid, [key]: wrong[Math.floor(random() * wrong.length)] })
  },
  hugeNumber: (random) =>
    `{"v":1,"type":"phase_progress","run":"run-1","epoch":"e1","seq":${random() < 0.5 ? '1e400' : '9007199254740993'},"ts":1,"phase":"a","done":1,"total":${random() < 0.5 ? '1e309' : '2'}}`,
  badSeq: (random) =>
    JSON.stringify({ ...valid, seq: [-1, 0, 1.5, -0.5, Number.MAX_VALUE][Math.floor(random() * 5)] }),
  missingField: (random) => {
    const copy: Record<string, unknown> = { ...valid }
    delete copy[keys[1 + Math.floor(random() * (keys.length - 1))]!]
    return JSON.stringify(copy)
  },
  doneOverTotal: () => JSON.stringify({ ...valid, done: 11 }),
  unknownType: (random) =>
    JSON.stringify({
      ...valid,
      type: ['nope', '', 'PHASE_PROGRESS', 'hasOwnProperty', 'toString', 'valueOf'][Math.floor(random() * 6)],
    }),
  protoKeys: (random) =>
    [
      '{"v":1,"type":"__proto__","run":"run-1","epoch":"e1","seq":5,"ts":1}',
      '{"v":1,"type":"constructor","run":"run-1","epoch":"e1","seq":5,"ts":1}',
      '{"__proto__":{"polluted":1},"v":1,"type":"phase_progress","run":"run-1","epoch":"e1","seq":5,"ts":1,"phase":"a","done":1}',
      '{"constructor":{"prototype":{"polluted":1}},"v":1,"type":"snapshot","run":"run-1","epoch":"e1","seq":9,"ts":1}',
      '{"v":1,"type":"snapshot","run":"run-1","epoch":"e1","seq":9,"ts":1,"state":{"__proto__":{"polluted":1},"status":"running","phases":[{"__proto__":{"polluted":1}}],"activity":[]}}',
      '{"v":1,"type":"run_started","run":"run-1","epoch":"e1","seq":5,"ts":1,"plan":[{"id":"__proto__","label":"x","weight":-1}]}',
    ][Math.floor(random() * 6)],
  hugeString: (random) => (random() < 0.5 ? MB_FRAME : MB),
  longField: () => JSON.stringify({ ...valid, run: 'r'.repeat(129) }),
  invalidUtf8: (random) => {
    const bytes = encoder.encode(JSON.stringify({ ...valid, phase: 'ab' }))
    const at = bytes.indexOf(0x61) // the phase id
    const bad = [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80]][
      Math.floor(random() * 4)
    ]!
    const out = new Uint8Array(bytes.length + bad.length)
    out.set(bytes.subarray(0, at))
    out.set(bad, at)
    out.set(bytes.subarray(at), at + bad.length)
    return random() < 0.5 ? out : out.buffer
  },
  notAnObject: (random) =>
    ['null', '[]', '"frame"', '42', 'true', '', ' ', '\uFEFF{}'][Math.floor(random() * 8)],
  badVersion: (random) =>
    JSON.stringify({ ...valid, v: [2, 0, '1', null, 1.0000001][Math.floor(random() * 5)] }),
  notText: (random) => [undefined, null, 42, {}, [1, 2], () => 1, Symbol('x'), 10n][Math.floor(random() * 8)],
}
const kindNames = Object.keys(kinds)

function* malformed(seed: number, count: number): Generator<{ kind: string; data: unknown }> {
  const random = createRandom(seed)
  for (let i = 0; i < count; i++) {
    const kind = kindNames[i % kindNames.length]!
    yield { kind, data: kinds[kind]!(random) }
  }
}

const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort()
const polluted = () => ({}) as Record<string, unknown>

afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysBefore)
  expect(polluted().polluted).toBeUndefined()
})

describe('fuzz: the client store', () => {
  test(`refuses ${FRAMES.toLocaleString('en-US')} malformed frames without a throw, a state change or pollution, each counted with a reason`, () => {
    const errors: ProgressError[] = []
    // A still clock and hand-driven flushes: any change to the run could only come from a frame.
    const store = createProgressStore({
      env: { setTimeout: () => 0, clearTimeout: () => {} },
      now: () => 1_700_000_000_500,
      autoFollow: false,
      onError: (e) => errors.push(e),
    })
    store.follow('run-1')
    const base = { v: 1, run: 'run-1', epoch: 'e1', ts: 1_700_000_000_000 }
    const plan = [
      { id: 'a', label: 'A', weight: 1 },
      { id: 'b', label: 'B', weight: 1 },
    ]
    store.ingest(JSON.stringify({ ...base, seq: 1, type: 'run_started', plan }))
    store.ingest(JSON.stringify({ ...base, seq: 2, type: 'phase_started', phase: 'a' }))
    store.ingest(JSON.stringify({ ...base, seq: 3, type: 'phase_progress', phase: 'a', done: 2, total: 10 }))
    store.flush()
    const before = store.store.getState()
    const runBefore = before.runs['run-1']!
    const snapshotBefore = JSON.stringify(runBefore)
    const perKind: Record<string, number> = {}

    // Plain checks in the loop (an expect() per frame would dominate the run time), asserted once after.
    const thrown: unknown[] = []
    for (const { kind, data } of malformed(6, FRAMES)) {
      try {
        store.ingest(data)
      } catch (error) {
        thrown.push(error)
      }
      perKind[kind] = (perKind[kind] ?? 0) + 1
      if (Object.values(perKind).length === kindNames.length && perKind[kind]! % 1000 === 0) store.flush()
    }
    store.flush()

    const after = store.store.getState()
    // The run is the very same object: nothing about it changed, not even its sequencer counters.
    expect(JSON.stringify(after.runs['run-1'])).toBe(snapshotBefore)
    expect(after.runs['run-1']).toBe(runBefore)
    expect(JSON.stringify(after.runs['run-1'])).toBe(snapshotBefore)
    expect(Object.keys(after.runs)).toEqual(['run-1'])
    expect(after.stats.frames - before.stats.frames).toBe(FRAMES)
    expect(after.stats.invalid - before.stats.invalid).toBe(FRAMES)
    expect(errors).toHaveLength(FRAMES)
    expect(errors.filter((e) => e.kind !== 'decode' || e.detail.length === 0)).toEqual([])
    const byCode = after.stats.byCode
    expect(Object.values(byCode).reduce((a, b) => a + b, 0)).toBe(FRAMES)
    expect(byCode.internal).toBeUndefined()
    for (const code of ['too_large', 'bad_encoding', 'bad_json', 'bad_version', 'unknown_type', 'invalid']) {
      expect(byCode[code], code).toBeGreaterThan(0)
    }

    // Still alive: the next real event applies.
    store.ingest(JSON.stringify({ ...base, seq: 4, type: 'phase_progress', phase: 'a', done: 5, total: 10 }))
    store.flush()
    expect(store.store.getState().runs['run-1']!.progress).toBe(0.25)
    store.destroy()
  }, 60_000)
})

function memoryPeer() {
  const received: string[] = []
  let closed: { code: number; reason: string } | null = null
  const peer: HubPeer = {
    send: (text) => {
      received.push(text)
    },
    bufferedAmount: 0,
    close: (code, reason) => {
      closed = { code, reason }
    },
  }
  return { peer, received, closed: () => closed }
}

describe('fuzz: the hub connection seam', () => {
  test(`answers ${FRAMES.toLocaleString('en-US')} malformed client frames with bad_frame and keeps serving other connections`, async () => {
    // A refusal budget as large as the storm: this test is about each frame's answer, not the 1008 that ends a
    // flood under the default budget (test/server/budgetsConnections.test.ts).
    const hub = createProgressHub({ heartbeatMs: 60_000, epoch: () => 'e1', refusalBurst: FRAMES })
    const run = hub.run('run-1')
    await run.start([{ id: 'a', label: 'A', weight: 1 }])
    const good = memoryPeer()
    const goodConnection = hub.connect(good.peer)
    goodConnection.receive(JSON.stringify({ v: 1, type: 'subscribe', run: 'run-1' }))
    const fuzzer = memoryPeer()
    const fuzzConnection = hub.connect(fuzzer.peer)
    const receivedBefore = good.received.length
    expect(receivedBefore).toBeGreaterThan(0)

    let clientKinds = 0
    const thrown: unknown[] = []
    for (const { data } of malformed(7, FRAMES)) {
      // Sequenced server frames are not client frames either: every one must be refused.
      try {
        fuzzConnection.receive(data)
      } catch (error) {
        thrown.push(error)
      }
      clientKinds++
      if (clientKinds % 20_000 === 0) await run.phaseProgress('a', clientKinds / 20_000, 5)
    }
    expect(thrown).toEqual([])
    expect(hub.metrics().badFrames).toBe(FRAMES)
    expect(fuzzer.received).toHaveLength(FRAMES)
    const answers = fuzzer.received.map((text) => JSON.parse(text))
    expect(answers.filter((frame) => frame.type !== 'error' || frame.code !== 'bad_frame')).toEqual([])
    expect(fuzzer.closed()).toBeNull()

    // The other connection saw every event published during the storm, and still gets new ones.
    await run.phaseProgress('a', 5, 5)
    const events = good.received.slice(receivedBefore).map((text) => JSON.parse(text))
    expect(events.map((e) => e.type)).toEqual(Array(6).fill('phase_progress'))
    expect(events.map((e) => e.done)).toEqual([1, 2, 3, 4, 5, 5])
    expect(hub.state('run-1')!.phases[0]!.done).toBe(5)
    // And the fuzzer's own connection still works once it speaks the protocol.
    fuzzConnection.receive(JSON.stringify({ v: 1, type: 'subscribe', run: 'run-1' }))
    expect(JSON.parse(fuzzer.received.at(-1)!).type).not.toBe('error')
    await hub.close()
  }, 60_000)
})
