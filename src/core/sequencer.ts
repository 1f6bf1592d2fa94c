import type { HeartbeatFrame, SequencedFrame } from '../protocol/types'

/** What the sequencer asks the transport to do. `snapshot-needed` is answered by a plain `subscribe`. */
export type SequencerAction =
  | { type: 'resync'; epoch: string; after: number }
  | { type: 'snapshot-needed'; epoch: string | null }

export interface SequencerResult {
  /** Events to apply now, in order, each exactly once. Reused: valid until the next call. */
  readonly events: SequencedFrame[]
  action: SequencerAction | null
}

export interface SequencerStats {
  received: number
  applied: number
  duplicates: number
  reordered: number
  gaps: number
  resyncs: number
  staleSnapshots: number
  epochChanges: number
  staleEpochs: number
  overflows: number
}

/** `live`: nothing missing. `gap`: a hole is open. `awaiting-snapshot`: the epoch changed under us. */
export type SequencerStatus = 'live' | 'gap' | 'awaiting-snapshot'

export interface SequencerOptions {
  /** Early frames held while a hole is open. */
  bufferSize?: number
  /** How long a hole may stay open before a resync is asked for. */
  gapTimeoutMs?: number
  /** Old epochs remembered so that their late frames are dropped instead of flapping back. */
  retiredEpochs?: number
}

export const SEQUENCER_DEFAULTS = { bufferSize: 256, gapTimeoutMs: 750, retiredEpochs: 8 } as const

export interface Sequencer {
  ingest(frame: SequencedFrame | HeartbeatFrame, now: number): SequencerResult
  /** Call at `deadline()`: asks again for what a hole is still missing. */
  tick(now: number): SequencerAction | null
  /** When `tick` has something to do, or null while nothing is missing. */
  deadline(): number | null
  /** The resume point: last applied seq of the current epoch. */
  position(): { epoch: string | null; applied: number }
  status(): SequencerStatus
  /** A fresh subscribe is in flight (reconnect): it answers any open hole, so restart the gap clock. */
  resubscribed(now: number): void
  readonly stats: Readonly<SequencerStats>
}

/**
 * The per-run sequencer: PROTOCOL client rules 1–4. Pure and clock-injected: the caller passes `now`
 * and calls `tick` at `deadline()`.
 * @example
 * const seq = createSequencer()
 * const { events, action } = seq.ingest(frame, Date.now())
 * for (const event of events) state = applyEvent(state, event).state
 * if (action) send(action)
 */
export function createSequencer(options: SequencerOptions = {}): Sequencer {
  const bufferSize = options.bufferSize ?? SEQUENCER_DEFAULTS.bufferSize
  const gapTimeoutMs = options.gapTimeoutMs ?? SEQUENCER_DEFAULTS.gapTimeoutMs
  const retiredLimit = options.retiredEpochs ?? SEQUENCER_DEFAULTS.retiredEpochs
  const stats: SequencerStats = {
    received: 0,
    applied: 0,
    duplicates: 0,
    reordered: 0,
    gaps: 0,
    resyncs: 0,
    staleSnapshots: 0,
    epochChanges: 0,
    staleEpochs: 0,
    overflows: 0,
  }
  const buffer = new Map<number, SequencedFrame>()
  const retired: string[] = []
  const result: SequencerResult = { events: [], action: null }
  let epoch: string | null = null
  let applied = 0
  let head = 0
  let awaitingSnapshot = false
  let holeSince: number | null = null
  let lastAskAt = Number.NEGATIVE_INFINITY

  const hasHole = () => awaitingSnapshot || buffer.size > 0 || head > applied

  function emit(frame: SequencedFrame) {
    result.events.push(frame)
    applied = frame.seq
    // Whatever applies first in an epoch is a snapshot or seq 1: either one starts the state afresh.
    awaitingSnapshot = false
    stats.applied++
  }

  function drain() {
    for (let next = buffer.get(applied + 1); next; next = buffer.get(applied + 1)) {
      buffer.delete(next.seq)
      emit(next)
    }
  }

  function ask(now: number): SequencerAction {
    lastAskAt = now
    holeSince = now
    if (awaitingSnapshot) return { type: 'snapshot-needed', epoch }
    stats.resyncs++
    return { type: 'resync', epoch: epoch!, after: applied }
  }

  function switchEpoch(next: string) {
    if (epoch !== null) {
      stats.epochChanges++
      retired.push(epoch)
      if (retired.length > retiredLimit) retired.shift()
    }
    epoch = next
    applied = 0
    head = 0
    buffer.clear()
    awaitingSnapshot = false
  }

  // `gaps` counts holes (missing ranges) as they appear; ingestEvent counts those below buffered frames, this
  // counts a tail hole a heartbeat reveals. (Counting only "no hole → hole" transitions missed a second hole
  // behind a buffered frame, e.g. 2 and 4 missing while 3 and 5 wait.)
  function settle(now: number, holeBefore: boolean, lowBefore: number, heartbeat: boolean) {
    if (!hasHole()) holeSince = null
    else if (!holeBefore) {
      holeSince = now
      if (heartbeat) stats.gaps++
    } else if (applied !== lowBefore) holeSince = now // the hole moved up: a new one starts its clock
  }

  function ingestEvent(frame: SequencedFrame, now: number) {
    if (frame.type === 'snapshot') {
      if (frame.seq < applied) {
        stats.staleSnapshots++
        return
      }
      for (const seq of buffer.keys()) if (seq <= frame.seq) buffer.delete(seq)
      emit(frame)
      drain()
      return
    }
    if (frame.seq <= applied || (buffer.size > 0 && buffer.has(frame.seq))) {
      stats.duplicates++
      return
    }
    if (frame.seq === applied + 1) {
      emit(frame)
      drain()
      return
    }
    if (buffer.size >= bufferSize) {
      stats.overflows++
      if (now - lastAskAt >= gapTimeoutMs) result.action = ask(now)
      return
    }
    stats.reordered++
    // A new missing range opens below this frame unless it merely shrinks one (seq + 1 already waits).
    if (frame.seq - 1 > applied && !buffer.has(frame.seq - 1) && !buffer.has(frame.seq + 1)) stats.gaps++
    buffer.set(frame.seq, frame)
  }

  return {
    stats,
    ingest(frame, now) {
      // Popping the one event of the last call is cheaper than setting the length (a runtime call).
      while (result.events.length > 0) result.events.pop()
      result.action = null
      stats.received++
      // A heartbeat of a run that has issued nothing names no epoch (decision 10): nothing to order or switch to.
      if (frame.epoch === undefined) return result
      if (frame.epoch !== epoch) {
        if (retired.includes(frame.epoch)) {
          stats.staleEpochs++
          return result
        }
        // A heartbeat before any event used to be ignored, so a client whose first events were all lost never
        // noticed; now it sets the epoch and its head opens a tail hole like any other (resync after 0).
        const known = epoch !== null
        switchEpoch(frame.epoch)
        // Rule 3: in a new epoch only a snapshot or seq 1 may start the state; anything else asks for one.
        if (known && frame.type !== 'snapshot' && (frame.type === 'heartbeat' || frame.seq !== 1)) {
          awaitingSnapshot = true
          if (frame.type === 'heartbeat') head = frame.head
          else {
            stats.reordered++
            buffer.set(frame.seq, frame)
          }
          stats.gaps++
          result.action = ask(now)
          return result
        }
      }
      const holeBefore = hasHole()
      // Almost every frame: the next seq with nothing missing. Applied at once, nothing to buffer or settle.
      if (
        !holeBefore &&
        frame.type !== 'heartbeat' &&
        frame.type !== 'snapshot' &&
        frame.seq === applied + 1
      ) {
        emit(frame)
        head = applied
        holeSince = null
        return result
      }
      const lowBefore = applied
      if (frame.type === 'heartbeat') head = Math.max(head, frame.head)
      else ingestEvent(frame, now)
      if (head < applied) head = applied
      settle(now, holeBefore, lowBefore, frame.type === 'heartbeat')
      return result
    },
    tick(now) {
      if (holeSince === null || now < holeSince + gapTimeoutMs) return null
      return ask(now)
    },
    deadline: () => (holeSince === null ? null : holeSince + gapTimeoutMs),
    position: () => ({ epoch, applied }),
    status: () => (awaitingSnapshot ? 'awaiting-snapshot' : hasHole() ? 'gap' : 'live'),
    resubscribed(now) {
      if (holeSince !== null) holeSince = now
      lastAskAt = now
    },
  }
}
