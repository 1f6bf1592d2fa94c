/** What the queue needs of a Node socket (`net.Socket` fits); typed structurally so the hub imports no Node. */
export interface HangupSocket {
  readonly destroyed: boolean
  destroy(): unknown
  removeAllListeners(event: 'end'): unknown
  once(event: 'end', listener: () => void): unknown
}

export interface HangupQueueOptions {
  /** Sockets destroyed per turn of the event loop. */
  slice: number
  /** Runs `fn` in a later turn (the hub's `setTimeout(fn, 0)`). */
  schedule: (fn: () => void) => void
}

export interface HangupQueue {
  /** From now on, a hang-up from `socket`'s peer (TCP FIN) queues the socket's destruction instead of ending it there. */
  watch(socket: HangupSocket): void
  /** Sockets waiting to be destroyed. */
  readonly size: number
}

export const HANGUP_SLICE = 64

/**
 * Destroys sockets whose peer hung up a slice per turn of the event loop. Node hands every hang-up that one poll
 * returns (up to about a thousand sockets cut at once) to JavaScript in one turn; ending each there (`ws`'s
 * half-close, then its close and the hub's teardown) holds the loop ~50 µs a socket, so 2,000 clients leaving
 * together stall every other client for 100 ms. Queued, a hang-up costs the poll only its read, and timers and
 * other sockets run between slices. `ws`'s own 'end' handling (a graceful half-close) is replaced: the peer is
 * gone, nothing is left to say, and destroying the socket runs `ws`'s close as any other end does.
 * @example
 * const hangups = createHangupQueue({ slice: HANGUP_SLICE, schedule: (fn) => setTimeout(fn, 0) })
 * wss.on('connection', (socket) => hangups.watch(socket._socket))
 */
export function createHangupQueue(options: HangupQueueOptions): HangupQueue {
  // A Set keeps arrival order and lets go of each socket as it is destroyed.
  const queue = new Set<HangupSocket>()
  let scheduled = false

  function drain() {
    scheduled = false
    let left = options.slice
    for (const socket of queue) {
      if (left-- === 0) break
      queue.delete(socket)
      if (!socket.destroyed) socket.destroy()
    }
    if (queue.size > 0) schedule()
  }

  function schedule() {
    if (scheduled) return
    scheduled = true
    options.schedule(drain)
  }

  return {
    watch(socket) {
      socket.removeAllListeners('end')
      socket.once('end', () => {
        queue.add(socket)
        schedule()
      })
    },
    get size() {
      return queue.size
    },
  }
}
