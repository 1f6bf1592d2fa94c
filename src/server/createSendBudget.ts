/** Why a connection must be closed (1013) rather than sent more, or `null` while it keeps up. */
export type SendVerdict = null | 'full' | 'stalled'

export interface SendBudget {
  /** Reads the transport's queue now; call before sending and on every heartbeat. */
  check(): SendVerdict
  /** A frame of `length` characters was handed to the transport: progress is judged net of it. */
  sent(length: number): void
}

export interface SendBudgetOptions {
  /** Bytes queued in the process for this peer and not yet taken by the kernel (`ws`: `bufferedAmount`). */
  buffered: () => number
  /** More queued than this: the reader is too slow. */
  maxBytes: number
  /** Queued bytes that never shrink for this long: the reader stopped, ms (0: never). */
  stallMs: number
  now: () => number
}

/**
 * The send side of a connection's budget. Memory per connection stays below `maxBytes` plus one frame, and
 * no queue is kept past `stallMs` for a peer that stopped reading: a queue that was seen empty, or shrinking,
 * counts as progress (net of what was sent since the last look).
 * @example
 * const budget = createSendBudget({ buffered: () => peer.bufferedAmount, maxBytes: 1 << 20, stallMs: 30_000, now })
 * if (budget.check()) close(1013, 'backpressure: resume later')
 */
export function createSendBudget(options: SendBudgetOptions): SendBudget {
  const { buffered, maxBytes, stallMs, now } = options
  let last = 0
  let movedAt = now()
  return {
    check() {
      const amount = buffered()
      if (amount > maxBytes) return 'full'
      if (amount === 0 || amount < last) movedAt = now()
      last = amount
      if (stallMs > 0 && amount > 0 && now() - movedAt > stallMs) return 'stalled'
      return null
    },
    sent(length) {
      last += length
    },
  }
}
