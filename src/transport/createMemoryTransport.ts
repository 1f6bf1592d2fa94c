import { callHost } from './callHost'
import { createReconnectPolicy } from './createReconnectPolicy'
import type { Transport, TransportFactory, TransportHandlers } from './transport'

/** The server's end of an in-memory connection (structurally the hub's `HubPeer`). */
export interface MemoryPeer {
  send(text: string): void
  readonly bufferedAmount: number
  close(code: number, reason: string): void
}

/** What the server returns for a new connection (structurally the hub's `HubConnection`). */
export interface MemoryConnection {
  receive(data: unknown): void
  closed(): void
}

export interface MemoryTransportOptions {
  /** Delay before reconnecting after a kill or a server close, ms. Default 50. */
  reconnectDelayMs?: number
  /** Runs one delivery later, in its own task like a socket message. Default `setTimeout(fn, 0)`. */
  schedule?: (fn: () => void) => void
  setTimeout?: (fn: () => void, ms: number) => unknown
  clearTimeout?: (handle: unknown) => void
}

/** A `TransportFactory` with a hand on the wire. */
export interface MemoryTransport extends TransportFactory {
  /** Drops the live connection like a lost network: both ends see it close, then the client reconnects. */
  kill(): void
  /** Connections opened so far (reconnects included). */
  readonly opens: number
}

/**
 * Connects a client to a hub in the same JS realm (browser or Node) without sockets: for stories, tests and
 * demos. Frames travel asynchronously and in order, one task each; `kill()` simulates a dropped connection.
 * @example
 * const hub = createProgressHub()
 * const memory = createMemoryTransport((peer) => hub.connect(peer))
 * const client = createProgressClient({ transport: memory })
 * memory.kill() // the client reconnects and resumes
 */
export function createMemoryTransport(
  connect: (peer: MemoryPeer) => MemoryConnection,
  options: MemoryTransportOptions = {},
): MemoryTransport {
  const reconnectDelayMs = options.reconnectDelayMs ?? 50
  const schedule = options.schedule ?? ((fn) => void globalThis.setTimeout(fn, 0))
  const setTimer = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms))
  const clearTimer =
    options.clearTimeout ?? ((handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>))
  const live = new Set<{ drop(): void }>()
  let opens = 0

  function factory(handlers: TransportHandlers): Transport {
    let closed = false
    // A fixed delay: the shared policy with no growth and no jitter.
    const policy = createReconnectPolicy(
      { minReconnectionDelay: reconnectDelayMs, reconnectionDelayGrowFactor: 1, minUptime: 0 },
      () => 1,
      { setTimeout: setTimer, clearTimeout: clearTimer },
    )
    // One generation per connection: frames and closes of a dropped one never reach the next.
    let current: { connection: MemoryConnection; open: boolean; drop(): void } | null = null

    const call = <A extends unknown[]>(fn: (...args: A) => void, ...args: A) => {
      if (!closed) callHost(fn, ...args)
    }

    function retry() {
      policy.failed()
      void policy.sleep().then(open)
    }

    function lose(link: NonNullable<typeof current>, notifyServer: boolean) {
      if (!link.open) return
      link.open = false
      live.delete(link)
      if (current === link) current = null
      if (notifyServer) link.connection.closed()
      if (closed) return
      call(handlers.onClose, false)
      retry()
    }

    function open() {
      if (closed) return
      call(handlers.onConnecting, policy.attempt)
      const link = {
        open: true,
        connection: null as unknown as MemoryConnection,
        drop: () => lose(link, true),
      }
      const peer: MemoryPeer = {
        send(text) {
          if (!link.open) return
          schedule(() => {
            if (link.open && !closed) call(handlers.onMessage, text)
          })
        },
        bufferedAmount: 0,
        // The server closed us (shutdown, backpressure): it already forgot the connection.
        close: () => schedule(() => lose(link, false)),
      }
      try {
        link.connection = connect(peer)
      } catch (thrown) {
        link.open = false
        call(handlers.onError, {
          kind: 'socket',
          detail: thrown instanceof Error ? thrown.message : 'connect failed',
        })
        return retry()
      }
      if (!link.open) return // closed by the server during connect
      current = link
      live.add(link)
      opens++
      policy.opened()
      call(handlers.onOpen)
    }

    schedule(open)

    return {
      send(text) {
        const link = current
        if (closed || !link?.open) return false
        schedule(() => {
          if (link.open) link.connection.receive(text)
        })
        return true
      },
      reconnect() {
        if (current) lose(current, true)
      },
      close() {
        if (closed) return
        closed = true
        policy.cancel()
        const link = current
        if (link) lose(link, true)
      },
      get isOpen() {
        return !closed && current?.open === true
      },
    }
  }

  // defineProperty keeps `opens` live (Object.assign would copy the getter's value once).
  return Object.defineProperties(factory, {
    kill: {
      value: () => {
        for (const link of [...live]) link.drop()
      },
    },
    opens: { get: () => opens },
  }) as MemoryTransport
}
