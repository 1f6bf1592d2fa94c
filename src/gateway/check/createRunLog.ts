import { applyEvent, createRunState } from '../../core/applyEvent'
import type { RunEvent, RunState, SequencedFrame } from '../../protocol/types'
import { compareStates, same } from './compareStates'
import type { Findings } from './createFindings'

/** Generous reducer limits: the replay keeps all the activity a snapshot could carry. */
const REPLAY_LIMITS = { activityLimit: 1000, taskLimit: 256 }

/**
 * The run's log as the checker learns it from every connection: each seq's event, which must be the same
 * every time it is sent; snapshots are checked against the log replayed through the kit's reducer.
 */
export function createRunLog(findings: Findings) {
  let epoch: string | null = null
  const events = new Map<number, RunEvent>()
  const snapshots: { seq: number; state: RunState; label: string }[] = []

  return {
    get epoch() {
      return epoch
    },
    set epoch(value: string | null) {
      epoch = value
    },
    get head() {
      let head = 0
      for (const seq of events.keys()) head = Math.max(head, seq)
      return head
    },
    has: (seq: number) => events.has(seq),
    get: (seq: number) => events.get(seq),
    /** Records a sequenced frame of the run's current epoch; a second copy of a seq must be identical. */
    record(frame: SequencedFrame, label: string) {
      if (frame.epoch !== epoch) return
      if (frame.type === 'snapshot') {
        snapshots.push({ seq: frame.seq, state: frame.state, label })
        return
      }
      const known = events.get(frame.seq)
      findings.check('replay-exact')
      if (!known) events.set(frame.seq, frame)
      else if (!same(known, frame)) {
        findings.violate('replay-exact', `${label}: seq ${frame.seq} differs from the first time it was sent`)
      }
    },
    /** Checks every snapshot against the log up to its seq, where the log is known that far. */
    checkSnapshots() {
      let state = createRunState()
      let applied = 0
      const bySeq = [...snapshots].sort((a, b) => a.seq - b.seq)
      for (const snapshot of bySeq) {
        for (; applied < snapshot.seq; applied++) {
          const event = events.get(applied + 1)
          if (!event) break
          findings.check('log-valid')
          const result = applyEvent(state, event, REPLAY_LIMITS)
          if (result.rejected) {
            findings.violate('log-valid', `seq ${event.seq} (${event.type}) breaks rule ${result.rejected}`)
          }
          state = result.state
        }
        if (applied < snapshot.seq) {
          findings.note(
            `snapshot at seq ${snapshot.seq} not compared: the server did not replay the log that far`,
          )
          continue
        }
        findings.check('snapshot-equals-log')
        const differs = compareStates(snapshot.state, state)
        if (differs)
          findings.violate('snapshot-equals-log', `${snapshot.label}: seq ${snapshot.seq}: ${differs}`)
      }
    },
  }
}

export type RunLog = ReturnType<typeof createRunLog>
