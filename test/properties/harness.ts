import { createProgressStore } from '../../src/client/createProgressStore'
import type { RunView } from '../../src/core/RunView'
import type { SequencerAction } from '../../src/core/sequencer'
import { encodeFrame } from '../../src/protocol/codec'
import type { HeartbeatFrame, SequencedFrame } from '../../src/protocol/types'
import { createFakeWorld } from '../client/store/fakeWorld'
import { heartbeat, type RunLog, snapshotOf } from '../support/logs'

export const GAP_MS = 750
export const BUFFER = 32

/** The parts of a view that must not depend on how the frames travelled. */
export const essence = (view: RunView) => ({
  status: view.status,
  phases: view.phases,
  activity: view.activity,
  progress: view.progress,
  seq: view.seq,
  epoch: view.epoch,
})

/**
 * A client store on a fake clock, flushed after every frame, and a fake server that answers `resync`
 * from the full log and `snapshot-needed` with a snapshot folded from the log (as the hub will).
 */
export function createHarness(server: { log: RunLog; head: number }, bufferSize = BUFFER) {
  const world = createFakeWorld()
  const actions: SequencerAction[] = []
  const progress = createProgressStore({
    now: world.now,
    env: world.env,
    flush: 'frame',
    gapTimeoutMs: GAP_MS,
    bufferSize,
    onAction: (_, action) => actions.push(action),
  })
  const shown: { epoch: string | null; displayed: number }[] = []
  const view = () => progress.store.getState().runs[server.log.run]
  const deliver = (frame: SequencedFrame | HeartbeatFrame) => {
    progress.ingest(encodeFrame(frame))
    world.frame()
    const current = view()
    if (current) shown.push({ epoch: current.epoch, displayed: current.displayed })
  }
  /** Lets time pass and answers what the client asked for, until it asks nothing more. */
  const settle = (rounds = 6) => {
    for (let round = 0; round < rounds; round++) {
      world.advance(GAP_MS)
      world.frame()
      const asked = actions.splice(0)
      if (asked.length === 0 && round > 0) return
      for (const action of asked) {
        if (action.type === 'resync' && action.epoch === server.log.epoch) {
          for (const event of server.log.events.slice(action.after, server.head)) deliver(event)
        } else deliver(snapshotOf(server.log, server.head))
      }
    }
  }
  /** Displayed never went backward within one epoch, at any flush. */
  const monotone = () => {
    for (let i = 1; i < shown.length; i++) {
      const [a, b] = [shown[i - 1]!, shown[i]!]
      if (a.epoch === b.epoch && b.displayed < a.displayed) return false
    }
    return true
  }
  return {
    world,
    progress,
    view,
    deliver,
    settle,
    monotone,
    shown,
    actions,
    heartbeat: () => deliver(heartbeat(server.head, { run: server.log.run, epoch: server.log.epoch })),
  }
}

/** The reference: the same log applied in order, once. */
export function inOrder(log: RunLog): RunView {
  const h = createHarness({ log, head: log.events.length })
  for (const event of log.events) h.deliver(event)
  return h.view()!
}
