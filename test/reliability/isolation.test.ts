import fc from 'fast-check'
import { createLogStream } from '../../bench/frameMix'
import { createProgressStore } from '../../src/client/createProgressStore'

const env = { setTimeout: () => 0, clearTimeout: () => {} }
const now = () => 1_763_794_800_000

function logOf(run: string, epoch: string, events: number, seed: number): string[] {
  const stream = createLogStream({ events, seed, run, epoch, phases: 3 })
  const out: string[] = []
  for (let frame = stream.next(); frame !== null; frame = stream.next()) out.push(JSON.stringify(frame))
  return out
}

/** The followed run's view after a stream, built by a fresh store that follows only it. */
function viewAfter(frames: readonly string[], follow: string) {
  const store = createProgressStore({ env, now, autoFollow: false })
  store.follow(follow)
  for (const frame of frames) store.ingest(frame)
  store.flush()
  const state = store.store.getState()
  store.destroy()
  return state
}

const followedLog = logOf('mine', 'e2', 60, 1)
// Frames of runs nobody follows, in any epoch, and late frames of the followed run's retired epoch.
const foreign = [
  ...logOf('other', 'e2', 60, 2),
  ...logOf('other', 'e9', 30, 3),
  ...logOf('third', 'e1', 30, 4),
  JSON.stringify({ v: 1, type: 'heartbeat', run: 'other', epoch: 'e2', head: 500, ts: 1 }),
  JSON.stringify({
    v: 1,
    type: 'snapshot',
    run: 'other',
    epoch: 'e3',
    seq: 9,
    ts: 1,
    state: { status: 'completed', phases: [], activity: [] },
  }),
]

describe('isolation', () => {
  test('frames for runs the client does not follow never touch a followed run, whatever their epoch or order', () => {
    const alone = viewAfter(followedLog, 'mine').runs.mine
    fc.assert(
      fc.property(
        fc.array(fc.nat(foreign.length - 1), { minLength: 1, maxLength: 150 }),
        fc.array(fc.nat(followedLog.length), { minLength: 1, maxLength: 150 }),
        (picks, positions) => {
          // Interleave foreign frames at random places of the followed run's in-order log.
          const mixed: string[] = []
          const at = positions.slice().sort((a, b) => a - b)
          let p = 0
          for (let i = 0; i <= followedLog.length; i++) {
            while (p < at.length && at[p] === i) mixed.push(foreign[picks[p++ % picks.length]!]!)
            if (i < followedLog.length) mixed.push(followedLog[i]!)
          }
          const state = viewAfter(mixed, 'mine')
          expect(Object.keys(state.runs)).toEqual(['mine'])
          const { stats: _ownStats, lastFrameAt: _a, ...view } = state.runs.mine!
          const { stats: _aloneStats, lastFrameAt: _b, ...expected } = alone!
          expect(view).toEqual(expected)
          expect(state.runs.mine!.stats.received).toBe(followedLog.length)
          expect(state.stats.unknownRun).toBe(mixed.length - followedLog.length)
        },
      ),
      { numRuns: 150, seed: 66 },
    )
  })

  test('late frames of a retired epoch never touch the run once it moved on', () => {
    const oldLog = logOf('mine', 'e1', 60, 5)
    const store = createProgressStore({ env, now, autoFollow: false })
    store.follow('mine')
    for (const frame of oldLog.slice(0, 30)) store.ingest(frame)
    for (const frame of followedLog) store.ingest(frame)
    store.flush()
    const before = store.store.getState().runs.mine!
    expect(before.epoch).toBe('e2')
    for (const frame of oldLog) store.ingest(frame)
    store.flush()
    const after = store.store.getState().runs.mine!
    // lastFrameAt and lastEventAt are readings of the clocks (any frame refines the server clock), not run state.
    const { stats: statsBefore, lastFrameAt: _a, lastEventAt: _c, ...viewBefore } = before
    const { stats: statsAfter, lastFrameAt: _b, lastEventAt: _d, ...viewAfterOld } = after
    expect(viewAfterOld).toEqual(viewBefore)
    expect(statsAfter.staleEpochs - statsBefore.staleEpochs).toBe(oldLog.length)
    expect(statsAfter.applied).toBe(statsBefore.applied)
    store.destroy()
  })

  test('a store that follows nothing keeps nothing, and says why for each frame', () => {
    const store = createProgressStore({ env, now, autoFollow: false })
    for (const frame of foreign) store.ingest(frame)
    store.flush()
    const state = store.store.getState()
    expect(state.runs).toEqual({})
    expect(state.stats.unknownRun).toBe(foreign.length)
    expect(state.stats.byCode.unknown_run).toBe(foreign.length)
    store.destroy()
  })
})
