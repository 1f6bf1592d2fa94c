import {
  createProgressStore,
  type ProgressError,
  type ProgressStoreOptions,
} from '../../../src/client/createProgressStore'
import { encodeFrame } from '../../../src/protocol/codec'
import type { HeartbeatFrame, SequencedFrame } from '../../../src/protocol/types'
import { ev, exampleLog, heartbeat, snapshotOf } from '../../support/logs'
import { createFakeWorld } from './fakeWorld'

const plan = [
  { id: 'a', label: 'A', weight: 1 },
  { id: 'agent', label: 'Agent', weight: 1, expectedMs: 4_000 },
]
const wire = (frame: SequencedFrame | HeartbeatFrame) => encodeFrame(frame)

function setup(options: ProgressStoreOptions = {}) {
  const world = createFakeWorld()
  const errors: ProgressError[] = []
  const actions: [string, unknown][] = []
  const progress = createProgressStore({
    now: world.now,
    env: world.env,
    onError: (error) => errors.push(error),
    onAction: (run, action) => actions.push([run, action]),
    ...options,
  })
  const publishes = vi.fn()
  progress.store.subscribe(publishes)
  // Frames are stamped with the world's clock so the estimate sees a server in sync with us.
  const send = (frame: SequencedFrame | HeartbeatFrame) =>
    progress.ingest(wire({ ...frame, ts: world.now() }))
  return { world, errors, actions, publishes, send, ...progress }
}

describe('createProgressStore: publishing', () => {
  test("publishes at most once per animation frame with flush 'frame'", () => {
    const { world, publishes, send, store } = setup({ flush: 'frame' })
    send(ev('run_started', 1, { plan }))
    for (let i = 1; i <= 5; i++) send(ev('phase_progress', 1 + i, { phase: 'a', done: i, total: 5 }))
    expect(publishes).not.toHaveBeenCalled()
    world.frame()
    expect(publishes).toHaveBeenCalledTimes(1)
    expect(store.getState().runs['run-1']?.progress).toBe(0.5)
  })

  test('a host that renders slowly gets fewer, larger publishes: the next waits as long as the last one took', async () => {
    const { world, publishes, send, store } = setup({ flush: 'frame' })
    // A subscriber that takes 50 ms of the fake clock, like a big dashboard rendering.
    store.subscribe(() => world.advance(50))
    send(ev('run_started', 1, { plan }))
    world.frame()
    expect(publishes).toHaveBeenCalledTimes(1)
    await Promise.resolve() // the cost is read in a microtask, after a React render would have run
    send(ev('phase_started', 2, { phase: 'a' }))
    world.frame()
    expect(publishes).toHaveBeenCalledTimes(1) // resting
    world.advance(49)
    world.frame()
    expect(publishes).toHaveBeenCalledTimes(1)
    world.advance(1)
    world.frame()
    expect(publishes).toHaveBeenCalledTimes(2)
    expect(store.getState().runs['run-1']?.seq).toBe(2)
  })

  test('a quick host is published every frame', async () => {
    const { world, publishes, send } = setup({ flush: 'frame' })
    for (let seq = 1; seq <= 3; seq++) {
      send(
        seq === 1
          ? ev('run_started', 1, { plan })
          : ev('phase_progress', seq, { phase: 'a', done: seq, total: 5 }),
      )
      world.frame()
      await Promise.resolve()
    }
    expect(publishes).toHaveBeenCalledTimes(3)
  })

  test('publishes at most once per interval with a numeric flush', () => {
    const { world, publishes, send } = setup({ flush: 100, refreshMs: 10_000 })
    send(ev('run_started', 1, { plan }))
    world.advance(50)
    send(ev('phase_started', 2, { phase: 'a' }))
    world.advance(50)
    expect(publishes).toHaveBeenCalledTimes(1)
  })

  test("publishes on every ingest with flush 'sync', and not when nothing changed", () => {
    const { publishes, send, flush } = setup({ flush: 'sync' })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_started', 2, { phase: 'a' }))
    expect(publishes).toHaveBeenCalledTimes(2)
    flush()
    flush()
    expect(publishes).toHaveBeenCalledTimes(2)
  })

  test('a run that did not change keeps its view object; the other gets a new one', () => {
    const { send, store, flush } = setup({ flush: 'sync' })
    send(ev('run_started', 1, { plan }, { run: 'x' }))
    send(ev('run_started', 1, { plan }, { run: 'y' }))
    const before = store.getState().runs
    send(ev('phase_progress', 2, { phase: 'a', done: 1, total: 2 }, { run: 'x' }))
    const after = store.getState().runs
    expect(after).not.toBe(before)
    expect(after.y).toBe(before.y)
    expect(after.x).not.toBe(before.x)
    flush()
    expect(store.getState().runs).toBe(after)
  })

  test('flush() publishes pending changes at once', () => {
    const { publishes, send, flush, store } = setup({ flush: 'frame' })
    send(ev('run_started', 1, { plan }))
    flush()
    expect(publishes).toHaveBeenCalledTimes(1)
    expect(store.getState().runs['run-1']?.status).toBe('running')
  })
})

describe('createProgressStore: bad input', () => {
  test('onError and stats receive every invalid frame with its reason, and state does not change', () => {
    const { ingest, errors, store, flush, send } = setup({ flush: 'sync' })
    send(ev('run_started', 1, { plan }))
    const runs = store.getState().runs
    ingest('{not json')
    ingest(new Uint8Array([0xff, 0xfe]))
    ingest('x'.repeat(70_000))
    ingest(JSON.stringify({ v: 2, type: 'queued' }))
    ingest(JSON.stringify({ v: 1, type: 'nope' }))
    ingest(JSON.stringify({ ...ev('phase_progress', 2, { phase: 'a', done: 3, total: 1 }) }))
    ingest(42)
    flush()
    expect(errors.map((e) => (e.kind === 'decode' ? e.code : e.kind))).toEqual([
      'bad_json',
      'bad_encoding',
      'too_large',
      'bad_version',
      'unknown_type',
      'invalid',
      'bad_encoding',
    ])
    const { stats } = store.getState()
    expect(stats.invalid).toBe(7)
    expect(stats.byCode).toMatchObject({
      bad_json: 1,
      bad_encoding: 2,
      too_large: 1,
      bad_version: 1,
      unknown_type: 1,
      invalid: 1,
    })
    expect(store.getState().runs).toBe(runs)
  })

  test('rejected events reach onError with run, seq, type and reason, and are counted', () => {
    const { send, errors, store } = setup({ flush: 'sync' })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_completed', 2, { phase: 'a' }))
    send(ev('phase_progress', 3, { phase: 'a', done: 1, total: 2 }))
    expect(errors).toEqual([
      { kind: 'rejected', run: 'run-1', seq: 3, type: 'phase_progress', reason: 'phase_finished' },
    ])
    expect(store.getState().stats.byCode.phase_finished).toBe(1)
    expect(store.getState().runs['run-1']?.stats.rejections).toEqual({ phase_finished: 1 })
  })

  test('server error frames are reported and counted', () => {
    const { ingest, errors, store } = setup({ flush: 'sync' })
    ingest(JSON.stringify({ v: 1, type: 'error', code: 'unknown_run', message: 'no such run', run: 'zzz' }))
    expect(errors).toEqual([{ kind: 'server', code: 'unknown_run', message: 'no such run', run: 'zzz' }])
    expect(store.getState().stats.serverErrors).toBe(1)
  })

  test('with autoFollow off, frames for runs nobody follows are counted and change nothing', () => {
    const { send, errors, store, follow, followed } = setup({ flush: 'sync', autoFollow: false })
    follow('mine')
    const runs = store.getState().runs
    send(ev('run_started', 1, { plan }, { run: 'other' }))
    send(heartbeat(1, { run: 'other' }))
    expect(store.getState().runs).toBe(runs)
    expect(followed()).toEqual(['mine'])
    expect(store.getState().stats.unknownRun).toBe(2)
    expect(errors).toEqual([
      { kind: 'unknown_run', run: 'other' },
      { kind: 'unknown_run', run: 'other' },
    ])
  })

  test('a throwing onError does not break ingest; the error is rethrown outside the pipeline', () => {
    const rethrown: unknown[] = []
    vi.stubGlobal('queueMicrotask', (fn: () => void) => {
      try {
        fn()
      } catch (error) {
        rethrown.push(error)
      }
    })
    try {
      const { send, ingest, store } = setup({
        flush: 'sync',
        onError: () => {
          throw new Error('host bug')
        },
      })
      send(ev('run_started', 1, { plan }))
      expect(() => ingest('garbage')).not.toThrow()
      send(ev('phase_progress', 2, { phase: 'a', done: 1, total: 2 }))
      expect(store.getState().runs['run-1']?.progress).toBe(0.25)
      expect(rethrown).toEqual([new Error('host bug')])
    } finally {
      vi.unstubAllGlobals()
    }
  })

  test('an onError that ingests again (re-entrancy) applies every event once', () => {
    const world = createFakeWorld()
    let reentered = false
    const progress = createProgressStore({
      now: world.now,
      env: world.env,
      flush: 'sync',
      onError: () => {
        if (reentered) return
        reentered = true
        progress.ingest(wire(ev('agent_thinking', 5, { agent: 'x', text: '5' })))
      },
    })
    progress.ingest(wire(ev('run_started', 1, { plan })))
    progress.ingest(wire(ev('phase_completed', 2, { phase: 'a' })))
    progress.ingest(wire(ev('agent_thinking', 4, { agent: 'x', text: '4' })))
    progress.ingest(wire(ev('phase_started', 3, { phase: 'a' }))) // rejected, and its report delivers 5
    const run = progress.store.getState().runs['run-1']!
    expect(run.activity.map((a) => a.text)).toEqual(['4', '5'])
    expect(run.seq).toBe(5)
  })
})

describe('createProgressStore: v1.1 frames', () => {
  test('subscribed and epoch-less heartbeats are taken, counted as nothing bad, and change no epoch', () => {
    const progress = setup({ flush: 'sync' })
    const { send, store, errors, flush } = progress
    progress.ingest(JSON.stringify({ v: 1, type: 'subscribed', run: 'run-1', head: 0, heartbeatMs: 500 }))
    progress.ingest(JSON.stringify({ v: 1, type: 'heartbeat', run: 'run-1', head: 0, ts: 1, idle: 0 }))
    send(ev('run_started', 1, { plan }))
    progress.ingest(JSON.stringify({ v: 1, type: 'heartbeat', run: 'run-1', head: 0, ts: 2 }))
    send({ ...heartbeat(1), idle: 20 })
    flush()
    expect(errors).toEqual([])
    expect(store.getState().stats.invalid).toBe(0)
    expect(progress.position('run-1')).toEqual({ epoch: 'e1', applied: 1 })
    expect(store.getState().runs['run-1']?.stats.epochChanges).toBe(0)
  })
})

describe('createProgressStore: time and the transport', () => {
  test('asks for a resync after the gap timeout, and again if the reply is lost', () => {
    const { send, actions, world } = setup({ flush: 'frame', gapTimeoutMs: 750, refreshMs: 10_000 })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_started', 3, { phase: 'a' }))
    world.frame()
    world.advance(749)
    expect(actions).toEqual([])
    world.advance(1)
    expect(actions).toEqual([['run-1', { type: 'resync', epoch: 'e1', after: 1 }]])
    world.frame()
    world.advance(750)
    expect(actions).toHaveLength(2)
    send(ev('phase_progress', 2, { phase: 'a', done: 1, total: 2 }))
    world.frame()
    world.advance(5_000)
    expect(actions).toHaveLength(2)
  })

  test('the resync shows in the published stats', () => {
    const { send, world, store } = setup({ flush: 'sync', gapTimeoutMs: 750 })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_started', 3, { phase: 'a' }))
    world.advance(750)
    expect(store.getState().runs['run-1']?.stats.resyncs).toBe(1)
    expect(store.getState().runs['run-1']?.confidenceReason).toBe('resyncing')
  })

  test('a heartbeat revealing tail loss leads to a resync after the gap timeout', () => {
    const { send, actions, world } = setup({ flush: 'sync', gapTimeoutMs: 500 })
    send(ev('run_started', 1, { plan }))
    send(heartbeat(3))
    world.advance(500)
    expect(actions).toEqual([['run-1', { type: 'resync', epoch: 'e1', after: 1 }]])
  })

  test('a frame of a new epoch asks for a snapshot at once', () => {
    const { send, actions } = setup({ flush: 'sync' })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_started', 4, { phase: 'a' }, { epoch: 'e2' }))
    expect(actions).toEqual([['run-1', { type: 'snapshot-needed', epoch: 'e2' }]])
  })

  test('resubscribed gives a fresh subscribe a full gap timeout before asking again', () => {
    const { send, actions, world, resubscribed } = setup({ flush: 'sync', gapTimeoutMs: 750 })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_started', 3, { phase: 'a' }))
    world.advance(500)
    resubscribed('run-1')
    world.advance(500)
    expect(actions).toEqual([])
    world.advance(250)
    expect(actions).toHaveLength(1)
  })

  test('an estimated phase keeps moving with no frames at all, below its end', () => {
    const { send, world, store } = setup({ flush: 'frame', refreshMs: 250 })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_completed', 2, { phase: 'a' }))
    send(ev('phase_started', 3, { phase: 'agent' }))
    world.frame()
    const seen: number[] = []
    for (let i = 0; i < 40; i++) {
      world.advance(250)
      world.frame()
      seen.push(store.getState().runs['run-1']!.displayed)
    }
    expect(new Set(seen).size).toBeGreaterThan(10)
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!)
    expect(seen.at(-1)!).toBeLessThan(1)
    expect(seen.at(-1)!).toBeGreaterThan(0.9)
    expect(store.getState().runs['run-1']!.estimated).toBe(true)
  })

  test('a finished run stops the refresh timer', () => {
    const { send, world } = setup({ flush: 'sync', refreshMs: 250 })
    send(ev('run_started', 1, { plan }))
    expect(world.timerCount()).toBe(1)
    send(ev('run_completed', 2, {}))
    expect(world.timerCount()).toBe(0)
  })

  test('goes stale without frames, and says reconnecting while the connection is down', () => {
    const { send, world, store, setConnection } = setup({
      flush: 'sync',
      heartbeatTimeoutMs: 1_000,
      refreshMs: 250,
    })
    send(ev('run_started', 1, { plan }))
    send(ev('phase_progress', 2, { phase: 'a', done: 1, total: 4 }))
    expect(store.getState().runs['run-1']?.confidence).toBe('high')
    world.advance(1_250)
    expect(store.getState().runs['run-1']?.confidenceReason).toBe('stale')
    setConnection({ status: 'reconnecting', attempts: 1 })
    expect(store.getState().connection).toMatchObject({ status: 'reconnecting', attempts: 1 })
    expect(store.getState().runs['run-1']?.confidenceReason).toBe('reconnecting')
  })

  test('follow, position, followed and unfollow', () => {
    const { follow, unfollow, position, followed, store, send, flush } = setup({ flush: 'frame' })
    follow('r2')
    flush()
    expect(store.getState().runs.r2?.status).toBe('pending')
    expect(position('r2')).toEqual({ epoch: null, applied: 0 })
    send(ev('run_started', 1, { plan }, { run: 'r2' }))
    expect(position('r2')).toEqual({ epoch: 'e1', applied: 1 })
    expect(position('nobody')).toBeNull()
    expect(followed()).toEqual(['r2'])
    unfollow('r2')
    flush()
    expect(store.getState().runs).toEqual({})
  })

  test('destroy stops timers and publishing', () => {
    const { send, world, destroy, publishes, ingest } = setup({ flush: 'frame' })
    send(ev('run_started', 1, { plan }))
    world.frame()
    destroy()
    const calls = publishes.mock.calls.length
    ingest(wire(ev('phase_started', 2, { phase: 'a' })))
    world.frame()
    world.advance(10_000)
    expect(publishes.mock.calls.length).toBe(calls)
    expect(world.timerCount()).toBe(0)
  })

  test('a resync answered by a snapshot built from the log recovers the full state', () => {
    const log = exampleLog()
    const { ingest, store, world } = setup({ flush: 'sync' })
    for (const event of log.events.slice(0, 5)) ingest(wire(event))
    for (const event of log.events.slice(8, 12)) ingest(wire(event))
    world.advance(750)
    ingest(wire(snapshotOf(log, 12)))
    const run = store.getState().runs['run-1']!
    expect(run.seq).toBe(12)
    expect(run.phases).toEqual(snapshotOf(log, 12).state.phases)
  })
})

describe('a hand-made adapter', () => {
  test('is refused at construction, and named in development', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const adapter = { translate: () => [] } as unknown as ProgressStoreOptions['adapter']
      expect(() => createProgressStore({ adapter })).toThrow(TypeError)
      expect(logged).toHaveBeenCalledWith('live-progress: adapters come from defineAdapter()')
    } finally {
      logged.mockRestore()
    }
  })
})
