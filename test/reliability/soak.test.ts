import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createLogStream, createRandom } from '../../bench/frameMix'
import { createProgressStore } from '../../src/client/createProgressStore'
import type { SchedulerEnv } from '../../src/client/flushScheduler'
import { applyEvent, createRunState, DEFAULT_LIMITS } from '../../src/core/applyEvent'
import type { SequencerAction } from '../../src/core/sequencer'
import type { RunEvent, RunState } from '../../src/protocol/types'

/** A real collector even when vitest's worker was started without --expose-gc. */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Fake clock and timers: the store's flushes and gap deadlines run on frame-count time. */
function createFakeWorld() {
  let now = 0
  let nextId = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  const env: SchedulerEnv = {
    setTimeout: (fn, ms) => {
      const id = nextId++
      timers.set(id, { at: now + ms, fn })
      return id
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number)
    },
  }
  return {
    env,
    now: () => now,
    advance(ms: number) {
      now += ms
      for (let guard = 0; guard < 1000; guard++) {
        let due: [number, { at: number; fn: () => void }] | undefined
        for (const entry of timers) if (entry[1].at <= now && (!due || entry[1].at < due[1].at)) due = entry
        if (!due) return
        timers.delete(due[0])
        due[1].fn()
      }
    },
  }
}

const FRAMES = 1_000_000
const GARBAGE = [
  '{"v":1,"type":"phase_progress"',
  'null',
  '{"v":2}',
  '{"v":1,"type":"nope"}',
  '\u0000',
  '[1,2]',
]

test('a million frames with reordering, duplicates, losses, garbage and heartbeats end in the exact in-order state, in bounded memory', () => {
  const gc = getGc()
  const random = createRandom(20261122)
  const log = createLogStream({ events: FRAMES, seed: 11, run: 'soak', epoch: 'e1' })
  const world = createFakeWorld()
  const actions: SequencerAction[] = []
  const store = createProgressStore({
    env: world.env,
    now: world.now,
    onAction: (_run, action) => actions.push(action),
  })
  // The server side: the tail of the log it can replay, and the reference state built in order.
  const replay = new Map<number, string>()
  let reference: RunState = createRunState()
  let head = 0
  const delayed: { text: string; at: number }[] = []
  const sent = { frames: 0, garbage: 0, dropped: 0, duplicated: 0, delayed: 0, replayed: 0 }

  const deliver = (text: string) => {
    store.ingest(text)
    sent.frames++
    world.advance(1)
    // Answer what the sequencer asked for, like the hub would: replay after `after` (or from 1).
    while (actions.length > 0) {
      const action = actions.shift()!
      const after = action.type === 'resync' ? action.after : 0
      for (let seq = after + 1; seq <= head; seq++) {
        const again = replay.get(seq)
        if (again !== undefined) {
          sent.replayed++
          store.ingest(again)
        }
      }
    }
  }

  let heapAtWarm = 0
  let frame = log.next()
  for (let i = 0; frame !== null; i++) {
    const text = JSON.stringify(frame)
    head = frame.seq as number
    reference = applyEvent(reference, frame as unknown as RunEvent).state
    replay.set(head, text)
    replay.delete(head - 4096)
    const roll = random()
    if (roll < 0.002) sent.dropped++
    else if (roll < 0.052) {
      sent.delayed++
      delayed.push({ text, at: i + 1 + Math.floor(random() * 15) })
    } else {
      deliver(text)
      if (random() < 0.01) {
        sent.duplicated++
        deliver(text)
      }
    }
    for (let d = delayed.length - 1; d >= 0; d--) {
      if (delayed[d]!.at > i) continue
      deliver(delayed[d]!.text)
      delayed.splice(d, 1)
    }
    if (random() < 0.005) {
      sent.garbage++
      deliver(GARBAGE[Math.floor(random() * GARBAGE.length)]!)
    }
    if (i % 1000 === 999)
      deliver(JSON.stringify({ v: 1, type: 'heartbeat', run: 'soak', epoch: 'e1', head, ts: 0 }))
    if (i === 200_000) {
      store.flush()
      gc()
      heapAtWarm = process.memoryUsage().heapUsed
    }
    frame = log.next()
  }
  for (const late of delayed) deliver(late.text)
  // A lost tail is found by the gap timer: let fake time run until the run is caught up.
  for (let guard = 0; guard < 100 && store.store.getState().runs.soak?.seq !== head; guard++)
    world.advance(1000)
  store.flush()
  gc()
  const heapAtEnd = process.memoryUsage().heapUsed

  const view = store.store.getState().runs.soak!
  expect(view.seq).toBe(FRAMES)
  expect(view.status).toBe('completed')
  expect(view.displayed).toBe(1)
  expect(view.phases).toEqual(reference.phases)
  expect(view.activity).toEqual(reference.activity)
  expect(view.stats.rejected).toBe(0)
  expect(view.stats.applied).toBe(FRAMES)
  expect(view.stats.duplicates).toBeGreaterThan(sent.duplicated / 2)
  expect(view.stats.resyncs).toBeGreaterThan(0)
  const { stats } = store.store.getState()
  expect(stats.invalid).toBe(sent.garbage)

  // Retained state is bounded by construction: activity and tasks are capped, stats are flat counters.
  expect(view.activity.length).toBeLessThanOrEqual(DEFAULT_LIMITS.activityLimit)
  for (const phase of view.phases) expect(phase.tasks?.length ?? 0).toBeLessThanOrEqual(8)
  expect(Object.keys(stats.byCode).length).toBeLessThanOrEqual(10)
  // And measured: 800,000 more frames after warm-up add no more than the replay window and noise.
  const growth = heapAtEnd - heapAtWarm
  expect(growth, `heap grew by ${(growth / 1048576).toFixed(1)} MB`).toBeLessThan(16 * 1024 * 1024)
  store.destroy()
}, 120_000)
