import { utf8Length } from '../protocol/codec'
import { MAX_FRAME_BYTES, type RunState } from '../protocol/types'
import { essentialSnapshotBytes } from './snapshotText'

/** The most phases a snapshot may carry (runStateSchema). */
export const MAX_PHASES = 256

/**
 * Keeps every run resumable: a run whose snapshot cannot fit one frame could never be caught up with.
 * Measuring the state on every event would cost a full encode each time, so it keeps an upper bound of the
 * essential snapshot's size and measures only when that bound nears the cap. An event adds at most twice its
 * own frame plus a few fields to the essential state (ids, labels and counts are copied from the frame, a
 * phase gains a status and times), so `2 × bytes + 64` per event is a safe bound.
 * @example
 * const budget = createSnapshotBudget(runId)
 * const refused = budget.check(epoch, next, texts)
 * if (refused) throw new PublishError('state_too_large', runId, type, refused)
 */
export function createSnapshotBudget(run: string) {
  let bound = 0
  return {
    /** Why `next` may not become the run's state, or null (and the bound now covers it). */
    check(epoch: string, next: RunState, texts: readonly string[]): string | null {
      if (next.phases.length > MAX_PHASES) return `a run has at most ${MAX_PHASES} phases`
      let grown = bound
      for (const text of texts) grown += 2 * utf8Length(text) + 64
      if (grown > MAX_FRAME_BYTES) {
        grown = essentialSnapshotBytes(run, epoch, next)
        if (grown > MAX_FRAME_BYTES)
          return `its snapshot would need ${grown} bytes, more than ${MAX_FRAME_BYTES}`
      }
      bound = grown
      return null
    },
    /** Measures a state that did not come through `check` (loaded from a store). */
    measure(epoch: string, state: RunState) {
      bound = essentialSnapshotBytes(run, epoch, state)
    },
  }
}
