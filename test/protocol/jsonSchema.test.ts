import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv from 'ajv'
import { repoRoot } from '../../bench/size'
import { protocolJsonSchema } from '../../scripts/protocolJsonSchema'
import { createRunState } from '../../src/core/applyEvent'
import { decodeClientFrame, decodeFrame } from '../../src/protocol/codec'
import { createProgressHub } from '../../src/server'
import { connectMemory } from '../server/memoryPeer'

const schema = protocolJsonSchema()
const validate = new Ajv({ strict: false, allErrors: false }).compile(schema)
const codecAccepts = (frame: unknown) => {
  const text = JSON.stringify(frame)
  return decodeFrame(text).ok || decodeClientFrame(text).ok
}

const env = { v: 1, run: 'r', epoch: 'e1', seq: 3, ts: 1700000000000 }
const plan = [
  { id: 'search', label: 'Search', weight: 3, expectedMs: 5000 },
  { id: 'write', label: 'Write', weight: 1 },
]
const state = {
  status: 'running',
  title: 'T',
  phases: [
    {
      id: 'search',
      label: 'Search',
      weight: 3,
      status: 'active',
      done: 2,
      total: 4,
      tasks: [{ id: 'a', done: 2, total: 4 }],
    },
    { id: 'write', label: 'Write', weight: 1, status: 'pending' },
  ],
  activity: [{ seq: 2, ts: 1, type: 'tool_executing', call: 'c', tool: 'web' }],
}

/** One valid frame of every type (and a few optional fields). */
const VALID: Record<string, unknown>[] = [
  { ...env, type: 'run_started', plan, title: 'Report' },
  { ...env, type: 'plan_updated', plan },
  { ...env, type: 'queued', position: 0 },
  { ...env, type: 'phase_started', phase: 'search' },
  { ...env, type: 'phase_progress', phase: 'search', done: 2, total: 4, label: 'two' },
  { ...env, type: 'task_progress', phase: 'search', task: 'a', done: 0, total: 0 },
  { ...env, type: 'phase_completed', phase: 'search' },
  { ...env, type: 'phase_skipped', phase: 'search' },
  { ...env, type: 'phase_failed', phase: 'search', error: 'boom' },
  { ...env, type: 'agent_started', agent: 'x' },
  { ...env, type: 'agent_completed', agent: 'x', ok: false },
  { ...env, type: 'agent_thinking', agent: 'x', text: '' },
  { ...env, type: 'tool_executing', call: 'c', tool: 't', agent: 'x' },
  { ...env, type: 'tool_completed', call: 'c', tool: 't', ok: true },
  { ...env, type: 'run_completed' },
  { ...env, type: 'run_failed', error: 'no' },
  { ...env, type: 'run_cancelled' },
  { ...env, type: 'snapshot', state },
  { ...env, type: 'snapshot', state: createRunState() },
  { v: 1, type: 'heartbeat', run: 'r', epoch: 'e1', head: 3, ts: 5, idle: 100 },
  { v: 1, type: 'heartbeat', run: 'r', head: 0, ts: 5 },
  { v: 1, type: 'subscribed', run: 'r', head: 3, epoch: 'e1', heartbeatMs: 10000 },
  { v: 1, type: 'subscribed', run: 'r', head: 0, heartbeatMs: 0.5 },
  { v: 1, type: 'error', code: 'bad_frame', message: 'no', run: 'r' },
  { v: 1, type: 'subscribe', run: 'r' },
  { v: 1, type: 'subscribe', run: 'r', epoch: 'e1', after: 0 },
  { v: 1, type: 'resync', run: 'r', epoch: 'e1', after: 7 },
  { v: 1, type: 'unsubscribe', run: 'r' },
  // Unknown keys are ignored by both (the codec strips them).
  { ...env, type: 'queued', position: 1, extra: true },
]

/** Invalid frames, each one change away from a valid one. */
const INVALID: [string, unknown][] = [
  ['not an object', [1, 2]],
  ['version 2', { ...env, v: 2, type: 'run_completed' }],
  ['unknown type', { ...env, type: 'warp' }],
  ['no type', { ...env }],
  ['missing envelope field', { v: 1, type: 'run_completed', run: 'r', epoch: 'e1', ts: 1 }],
  ['seq 0', { ...env, seq: 0, type: 'run_completed' }],
  ['seq not an integer', { ...env, seq: 1.5, type: 'run_completed' }],
  ['seq past 2^53', { ...env, seq: 2 ** 53, type: 'run_completed' }],
  ['empty run id', { ...env, run: '', type: 'run_completed' }],
  ['run id of 129 chars', { ...env, run: 'r'.repeat(129), type: 'run_completed' }],
  ['epoch of 65 chars', { ...env, epoch: 'e'.repeat(65), type: 'run_completed' }],
  ['ts a string', { ...env, ts: 'now', type: 'run_completed' }],
  ['empty plan', { ...env, type: 'run_started', plan: [] }],
  ['plan without weight > 0', { ...env, type: 'run_started', plan: [{ id: 'a', label: 'A', weight: 0 }] }],
  ['negative weight', { ...env, type: 'run_started', plan: [{ id: 'a', label: 'A', weight: -1 }] }],
  [
    'plan of 257 phases',
    {
      ...env,
      type: 'run_started',
      plan: Array.from({ length: 257 }, (_, i) => ({ id: `p${i}`, label: '', weight: 1 })),
    },
  ],
  ['negative position', { ...env, type: 'queued', position: -1 }],
  ['done a string', { ...env, type: 'phase_progress', phase: 's', done: '1', total: 2 }],
  [
    'label over 4096',
    { ...env, type: 'phase_progress', phase: 's', done: 1, total: 2, label: 'x'.repeat(4097) },
  ],
  ['task_progress without task', { ...env, type: 'task_progress', phase: 's', done: 1, total: 2 }],
  ['phase_failed without error', { ...env, type: 'phase_failed', phase: 's' }],
  ['ok not a boolean', { ...env, type: 'agent_completed', agent: 'x', ok: 'yes' }],
  ['snapshot state with a bad status', { ...env, type: 'snapshot', state: { ...state, status: 'paused' } }],
  [
    'snapshot phase with a bad status',
    { ...env, type: 'snapshot', state: { ...state, phases: [{ ...state.phases[0], status: 'running' }] } },
  ],
  ['snapshot without activity', { ...env, type: 'snapshot', state: { status: 'running', phases: [] } }],
  [
    'activity of an unknown type',
    { ...env, type: 'snapshot', state: { ...state, activity: [{ seq: 1, ts: 1, type: 'phase_started' }] } },
  ],
  ['heartbeat head > 0 without epoch', { v: 1, type: 'heartbeat', run: 'r', head: 3, ts: 5 }],
  ['heartbeat negative idle', { v: 1, type: 'heartbeat', run: 'r', epoch: 'e', head: 3, ts: 5, idle: -1 }],
  ['subscribed heartbeatMs 0', { v: 1, type: 'subscribed', run: 'r', head: 0, heartbeatMs: 0 }],
  ['subscribed head > 0 without epoch', { v: 1, type: 'subscribed', run: 'r', head: 2, heartbeatMs: 1000 }],
  ['error without message', { v: 1, type: 'error', code: 'bad_frame' }],
  ['error code of 65 chars', { v: 1, type: 'error', code: 'c'.repeat(65), message: '' }],
  ['resync without after', { v: 1, type: 'resync', run: 'r', epoch: 'e1' }],
  ['subscribe with after -1', { v: 1, type: 'subscribe', run: 'r', after: -1 }],
  ['unsubscribe without run', { v: 1, type: 'unsubscribe' }],
]

/** What only the codec can check (JSON Schema cannot compare fields or see uniqueness): the schema says so in `$comment`. */
const CODEC_ONLY: [string, unknown][] = [
  ['done > total', { ...env, type: 'phase_progress', phase: 's', done: 3, total: 2 }],
  ['task done > total', { ...env, type: 'task_progress', phase: 's', task: 't', done: 3, total: 2 }],
  ['duplicate phase ids', { ...env, type: 'run_started', plan: [plan[0], plan[0]] }],
  // JSON Schema counts code points, the codec UTF-16 units: 100 astral characters are 200 units.
  ['a run id of 100 astral characters', { ...env, run: '😀'.repeat(100), type: 'run_completed' }],
]

describe('protocol.schema.json (generated from the valibot schemas)', () => {
  it.each(VALID.map((frame) => [frame.type, frame] as const))(
    'accepts a valid %s frame, as the codec does',
    (_, frame) => {
      expect(codecAccepts(frame)).toBe(true)
      expect(validate(frame), JSON.stringify(validate.errors)).toBe(true)
    },
  )

  it.each(INVALID)('refuses %s, as the codec does', (_, frame) => {
    expect(codecAccepts(frame)).toBe(false)
    expect(validate(frame)).toBe(false)
  })

  it.each(CODEC_ONLY)('leaves %s to the codec, and says so', (_, frame) => {
    expect(codecAccepts(frame)).toBe(false)
    expect(validate(frame)).toBe(true)
  })

  it('accepts every frame a real hub sends during a run', async () => {
    const hub = createProgressHub({ heartbeatMs: 10 })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'live' })
    const run = hub.run('live')
    await run.start(plan, { title: 'Live' })
    await run.phaseStarted('search')
    await run.taskProgress('search', 'a', 1, 2, 'one')
    await run.toolExecuting('c', 'web', 'agent')
    await run.toolCompleted('c', 'web', { ok: true })
    await run.transition('search', 'write')
    viewer.send({ v: 1, type: 'subscribe', run: 'live' })
    viewer.send('nonsense')
    await new Promise((resolve) => setTimeout(resolve, 30))
    await run.complete()
    const types = new Set(viewer.all.map((f) => f.type))
    for (const type of ['subscribed', 'run_started', 'task_progress', 'snapshot', 'heartbeat', 'error']) {
      expect(types).toContain(type)
    }
    for (const frame of viewer.all) expect(validate(frame), JSON.stringify(validate.errors)).toBe(true)
    await hub.close()
  })

  it('is the checked-in docs/protocol.schema.json (regenerate it when the schemas change)', () => {
    const checkedIn = JSON.parse(
      readFileSync(join(repoRoot, 'docs', 'protocol.schema.json'), 'utf8'),
    ) as unknown
    expect(checkedIn).toEqual(schema)
  })
})
