import type { RunEvent } from '../protocol/types'

/** One accepted event: the frame (for persistence) and its wire text (encoded once, sent to everyone). */
export interface LogEntry {
  seq: number
  frame: RunEvent
  text: string
}

/** The bounded replay log of one run. */
export interface EventLog {
  append(entry: LogEntry): void
  /** Entries with `seq > after`, oldest first; `null` when they are no longer (or not yet) all there. */
  since(after: number): LogEntry[] | null
  /** The newest `count` entries, oldest first. */
  tail(count: number): LogEntry[]
  readonly size: number
}

/**
 * A ring buffer of the newest `capacity` events. Seqs are contiguous, so `seq → slot` is arithmetic.
 * @example
 * const log = createEventLog(10_000)
 * log.append({ seq: 1, frame, text })
 * log.since(0) // [entry 1]
 */
export function createEventLog(capacity: number): EventLog {
  const slots: (LogEntry | undefined)[] = new Array(capacity)
  let size = 0
  let head = 0

  const at = (seq: number) => slots[(seq - 1) % capacity]!

  return {
    append(entry) {
      slots[(entry.seq - 1) % capacity] = entry
      head = entry.seq
      size = Math.min(size + 1, capacity)
    },
    since(after) {
      const first = head - size + 1
      if (after > head || after < first - 1) return null
      const out: LogEntry[] = []
      for (let seq = after + 1; seq <= head; seq++) out.push(at(seq))
      return out
    },
    tail(count) {
      const n = Math.min(count, size)
      const out: LogEntry[] = []
      for (let seq = head - n + 1; seq <= head; seq++) out.push(at(seq))
      return out
    },
    get size() {
      return size
    },
  }
}
