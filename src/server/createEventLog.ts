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
  /**
   * Entries with `seq > after`, oldest first, stopping once their texts reach `maxChars` (at least one entry
   * when any is missing); `null` when the entry after `after` is no longer (or not yet) there.
   */
  read(after: number, maxChars: number): LogEntry[] | null
  /** Characters of text a replay after `after` would send (what `since` returns), or `null` as `since`. */
  charsSince(after: number): number | null
  /** The newest `count` entries, oldest first. */
  tail(count: number): LogEntry[]
  readonly size: number
}

/**
 * A ring buffer of the newest `capacity` events that grows as events come, so a run that is only subscribed
 * to, or short, costs what it holds rather than `capacity` slots. Seqs are contiguous, so `seq → slot` is
 * arithmetic; a running sum of text lengths makes the cost of any replay known without reading it.
 * @example
 * const log = createEventLog(10_000)
 * log.append({ seq: 1, frame, text })
 * log.since(0) // [entry 1]
 */
export function createEventLog(capacity: number): EventLog {
  const slots: LogEntry[] = []
  // ends[slot]: characters of text from the first event ever appended up to and including the slot's event.
  const ends: number[] = []
  let base = 0 // seq of the first event ever appended, minus one
  let size = 0
  let head = 0
  // Characters up to and including the entry before the oldest one kept.
  let before = 0

  const slot = (seq: number) => (seq - base - 1) % capacity
  const endOf = (seq: number) => (seq === head - size ? before : ends[slot(seq)]!)
  const covers = (after: number) => after <= head && after >= head - size

  const log: EventLog = {
    append(entry) {
      if (size === 0 && head === 0) base = entry.seq - 1
      const end = (size === 0 ? before : ends[slot(head)]!) + entry.text.length
      const at = slot(entry.seq)
      if (size === capacity) before = ends[at]!
      else size++
      slots[at] = entry
      ends[at] = end
      head = entry.seq
      ;(log as { size: number }).size = size
    },
    since(after) {
      if (!covers(after)) return null
      const out: LogEntry[] = []
      for (let seq = after + 1; seq <= head; seq++) out.push(slots[slot(seq)]!)
      return out
    },
    read(after, maxChars) {
      if (!covers(after)) return null
      const out: LogEntry[] = []
      let chars = 0
      for (let seq = after + 1; seq <= head && (out.length === 0 || chars < maxChars); seq++) {
        const entry = slots[slot(seq)]!
        out.push(entry)
        chars += entry.text.length
      }
      return out
    },
    charsSince(after) {
      if (!covers(after)) return null
      return after === head ? 0 : endOf(head) - endOf(after)
    },
    tail(count) {
      const n = Math.min(count, size)
      const out: LogEntry[] = []
      for (let seq = head - n + 1; seq <= head; seq++) out.push(slots[slot(seq)]!)
      return out
    },
    // A data property, not a getter: V8 gives an object literal with an accessor a property table of its own
    // (~450 bytes), and a hub holds one log per run.
    size: 0,
  }
  return log
}
