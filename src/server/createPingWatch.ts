/** What the watch needs of a server-side WebSocket: `ws`'s `WebSocket` fits (ping frames, 'pong' events). */
export interface PingableSocket {
  ping?(): void
  terminate?(): void
  close(code?: number, reason?: string): void
  on(event: 'pong', listener: () => void): unknown
}

export interface PingWatchOptions {
  /** Time between pings, ms. A peer that answers none of two in a row is freed at the third. */
  periodMs: number
  setInterval: (fn: () => void, ms: number) => unknown
  clearInterval: (handle: unknown) => void
}

export interface PingWatch {
  /** Watches `socket` until the returned function is called (on its close). Sockets without `ping` are not watched. */
  watch(socket: PingableSocket): () => void
}

/** Pings missed before a peer counts as dead (v1.1 rule C: the hub frees dead peers after two missed answers). */
const MISSED_LIMIT = 2

/**
 * WebSocket ping/pong dead-peer detection: a peer whose TCP connection is silently gone (a lost NAT flow, a
 * suspended laptop) is freed after two unanswered pings instead of holding its subscriptions until the OS gives up.
 * One timer serves every watched socket.
 * @example
 * const pings = createPingWatch({ periodMs: 10_000, setInterval, clearInterval })
 * socket.on('close', pings.watch(socket))
 */
export function createPingWatch(options: PingWatchOptions): PingWatch {
  const missed = new Map<PingableSocket, number>()
  let timer: unknown

  function sweep() {
    for (const [socket, count] of [...missed]) {
      if (count >= MISSED_LIMIT) {
        missed.delete(socket)
        try {
          if (socket.terminate) socket.terminate()
          else socket.close(1001, 'no answer to ping')
        } catch {}
        continue
      }
      missed.set(socket, count + 1)
      try {
        socket.ping!()
      } catch {
        // A socket that cannot ping any more is closing: its 'close' unwatches it.
      }
    }
    if (missed.size === 0) stop()
  }

  function stop() {
    if (timer !== undefined) options.clearInterval(timer)
    timer = undefined
  }

  return {
    watch(socket) {
      if (typeof socket.ping !== 'function' || !(options.periodMs > 0)) return () => {}
      missed.set(socket, 0)
      socket.on('pong', () => {
        if (missed.has(socket)) missed.set(socket, 0)
      })
      timer ??= options.setInterval(sweep, options.periodMs)
      return () => {
        missed.delete(socket)
        if (missed.size === 0) stop()
      }
    },
  }
}
