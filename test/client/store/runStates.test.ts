import { createProgressStore, type ProgressStoreOptions } from '../../../src/client/createProgressStore'
import type { RunView } from '../../../src/core/RunView'
import { createFakeWorld } from './fakeWorld'

const PLAN = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'think', label: 'Think', weight: 1, expectedMs: 60_000 },
]

/** A store on the fake world's clock, fed frames stamped with that clock (a server in sync with us). */
function setup(options: ProgressStoreOptions = {}) {
  const world = createFakeWorld()
  const store = createProgressStore({ flush: 'sync', now: world.now, env: world.env, ...options })
  store.follow('r')
  let seq = 0
  let epoch = 'e1'
  const send = (frame: Record<string, unknown>) => store.ingest(JSON.stringify({ v: 1, run: 'r', ...frame }))
  const event = (type: string, body: Record<string, unknown> = {}) =>
    send({ type, epoch, seq: ++seq, ts: world.now(), ...body })
  const reasons: string[] = []
  store.store.subscribe((state) => {
    const reason = state.runs.r?.confidenceReason
    if (reason !== undefined && reasons.at(-1) !== reason) reasons.push(reason)
  })
  return {
    world,
    store,
    send,
    event,
    reasons,
    view: () => store.store.getState().runs.r as RunView,
    /** A heartbeat as a v1.1 hub sends it: head, and idle since its last event by its own clock. */
    beat: (idle?: number) =>
      send(
        seq === 0
          ? { type: 'heartbeat', head: 0, ts: world.now() }
          : { type: 'heartbeat', epoch, head: seq, ts: world.now(), ...(idle === undefined ? {} : { idle }) },
      ),
    restartAs(next: string) {
      epoch = next
      seq = 0
    },
  }
}

describe('a followed run that does not exist yet', () => {
  test('is pending and calmly waiting for 10 heartbeat periods, never stale', () => {
    const { world, send, beat, view, reasons } = setup()
    send({ type: 'subscribed', head: 0, heartbeatMs: 1000 })
    for (let period = 0; period < 10; period++) {
      world.advance(1000)
      beat()
      expect(view().status).toBe('pending')
      expect(view().confidenceReason).toBe('waiting')
      expect(view().confidence).toBe('high')
    }
    expect(reasons).toEqual(['waiting'])
  })

  test('turns stale when the heartbeats stop (2.5 periods), and starts normally when its producer does', () => {
    const { world, send, beat, event, view, store } = setup()
    send({ type: 'subscribed', head: 0, heartbeatMs: 1000 })
    world.advance(2501)
    store.flush()
    expect(view().confidenceReason).toBe('stale')
    beat()
    expect(view().confidenceReason).toBe('waiting')
    event('run_started', { plan: PLAN })
    event('phase_started', { phase: 'search' })
    event('phase_progress', { phase: 'search', done: 1, total: 10 })
    expect(view().status).toBe('running')
    expect(view().confidenceReason).toBe('live')
  })
})

describe('a connection that comes back', () => {
  test('gives every run a fresh heartbeat timeout: the silence of the drop is not the run going stale', () => {
    const { world, send, event, view, store } = setup()
    send({ type: 'subscribed', head: 0, heartbeatMs: 1000 })
    event('run_started', { plan: PLAN })
    store.setConnection({ status: 'reconnecting' })
    world.advance(10_000)
    expect(view().confidenceReason).toBe('reconnecting')
    store.setConnection({ status: 'open' })
    expect(view().confidenceReason).toBe('live')
    world.advance(2_600) // and yet no frame on the new connection either: now it is stale
    store.flush()
    expect(view().confidenceReason).toBe('stale')
  })
})

describe('a silent producer on a live connection', () => {
  test('flips to producer_silent after stallAfterMs of no event while heartbeats come, and back on the next event', () => {
    const { world, event, beat, view, reasons } = setup({ stallAfterMs: 30_000 })
    event('run_started', { plan: PLAN })
    event('phase_started', { phase: 'search' })
    event('phase_progress', { phase: 'search', done: 3, total: 10 })
    for (let s = 1; s <= 29; s++) {
      world.advance(1000)
      beat(s * 1000)
    }
    expect(view().confidenceReason).toBe('live')
    world.advance(1000)
    beat(30_000)
    expect(view().confidenceReason).toBe('producer_silent')
    expect(view().confidence).toBe('medium')
    expect(world.now() - view().lastEventAt!).toBe(30_000)
    world.advance(15_000)
    beat(45_000)
    expect(view().confidenceReason).toBe('producer_silent') // the badge says "No progress for 45 sec"
    event('phase_progress', { phase: 'search', done: 4, total: 10 })
    expect(view().confidenceReason).toBe('live')
    // ('estimated' before the first count, while Search had no total yet.)
    expect(reasons).toEqual(['live', 'estimated', 'live', 'producer_silent', 'live'])
  })

  test('a phase without counts may think quietly for twice its expectedMs (at least stallAfterMs)', () => {
    const { world, event, beat, view } = setup({ stallAfterMs: 30_000 })
    event('run_started', { plan: PLAN })
    event('phase_started', { phase: 'search' })
    event('phase_completed', { phase: 'search' })
    event('phase_started', { phase: 'think' })
    world.advance(119_000)
    beat(119_000)
    expect(view().confidenceReason).toBe('estimated')
    world.advance(1000)
    beat(120_000)
    expect(view().confidenceReason).toBe('producer_silent')
  })

  test('a client that just resumed knows the silence from the heartbeat idle, not from when it joined', () => {
    const { world, send, view } = setup()
    const state = {
      status: 'running',
      phases: [{ id: 'search', label: 'Search', weight: 1, status: 'active', done: 2, total: 5 }],
      activity: [],
    }
    send({ type: 'snapshot', epoch: 'e1', seq: 9, ts: world.now(), state })
    expect(view().confidenceReason).toBe('live')
    // The hub's own clock says the producer last spoke 50 s ago.
    send({ type: 'heartbeat', epoch: 'e1', head: 9, ts: world.now(), idle: 50_000 })
    expect(view().confidenceReason).toBe('producer_silent')
    expect(world.now() - view().lastEventAt!).toBe(50_000)
  })

  test('is no connection state: a dropped connection or a stale run says so instead', () => {
    const { world, event, beat, view, store } = setup()
    event('run_started', { plan: PLAN })
    event('phase_started', { phase: 'search' })
    event('phase_progress', { phase: 'search', done: 3, total: 10 })
    world.advance(40_000)
    beat(40_000)
    expect(view().confidenceReason).toBe('producer_silent')
    store.setConnection({ status: 'reconnecting' })
    expect(view().confidenceReason).toBe('reconnecting')
    store.setConnection({ status: 'open' })
    world.advance(30_000) // no heartbeat either: the link is in doubt, not the producer
    store.flush()
    expect(view().confidenceReason).toBe('stale')
  })

  test('a queued or finished run is never producer_silent', () => {
    const { world, event, beat, view } = setup()
    event('queued', { position: 2 })
    world.advance(120_000)
    beat(120_000)
    expect(view().confidenceReason).not.toBe('producer_silent')
    event('run_started', { plan: PLAN })
    event('run_completed')
    world.advance(120_000)
    beat(120_000)
    expect(view().confidenceReason).toBe('final')
  })
})

describe('a run restarted from scratch under a new epoch', () => {
  function toHalfway(s: ReturnType<typeof setup>) {
    s.event('run_started', { plan: PLAN })
    s.event('phase_started', { phase: 'search' })
    s.event('phase_progress', { phase: 'search', done: 5, total: 10 })
  }

  test('is named once: reason restarted for the notice, the flag for the epoch, the bar down once', () => {
    const s = setup({ restartNoticeMs: 10_000 })
    const shown: number[] = []
    s.store.store.subscribe((state) => {
      const run = state.runs.r
      if (run && shown.at(-1) !== run.displayed) shown.push(run.displayed)
    })
    toHalfway(s)
    expect(s.view().displayed).toBeCloseTo(0.375)
    s.restartAs('e2')
    s.event('run_started', { plan: PLAN })
    expect(s.view().displayed).toBe(0)
    expect(s.view().restarted).toBe(true)
    expect(s.view().confidenceReason).toBe('restarted')
    expect(s.view().confidence).toBe('medium')
    s.event('phase_started', { phase: 'search' })
    s.event('phase_progress', { phase: 'search', done: 2, total: 10 })
    expect(s.view().confidenceReason).toBe('restarted')
    s.world.advance(10_000)
    s.beat()
    expect(s.view().confidenceReason).toBe('live')
    expect(s.view().restarted).toBe(true)
    s.event('phase_progress', { phase: 'search', done: 6, total: 10 })
    // Down once (0.375 → 0), then never backward again within the new epoch.
    const drops = shown.filter((value, i) => i > 0 && value < shown[i - 1]!)
    expect(drops).toEqual([0])
    expect(s.reasons.filter((reason) => reason === 'restarted')).toHaveLength(1)
  })

  test('a late frame of the retired epoch never switches back (decision 1)', () => {
    const s = setup()
    toHalfway(s)
    s.restartAs('e2')
    s.event('run_started', { plan: PLAN })
    s.send({
      type: 'phase_progress',
      epoch: 'e1',
      seq: 4,
      ts: s.world.now(),
      phase: 'search',
      done: 9,
      total: 10,
    })
    s.send({ type: 'run_started', epoch: 'e1', seq: 1, ts: s.world.now(), plan: PLAN })
    expect(s.view().epoch).toBe('e2')
    expect(s.view().displayed).toBe(0)
    expect(s.view().stats.staleEpochs).toBe(2)
  })

  test('a new epoch that shows as much or more is no restart (a hub that lost its log, a snapshot at the head)', () => {
    const s = setup()
    toHalfway(s)
    const state = {
      status: 'running',
      phases: [
        { id: 'search', label: 'Search', weight: 3, status: 'active', done: 8, total: 10 },
        { id: 'think', label: 'Think', weight: 1, status: 'pending' },
      ],
      activity: [],
    }
    s.send({ type: 'snapshot', epoch: 'e2', seq: 7, ts: s.world.now(), state })
    expect(s.view().epoch).toBe('e2')
    expect(s.view().restarted).toBeUndefined()
    expect(s.view().confidenceReason).toBe('live')
  })
})
