import { heartbeatTimeout } from '../core/confidence'
import type { SequencerAction } from '../core/sequencer'
import { encodeFrame } from '../protocol/codec'
import type { ClientFrame } from '../protocol/types'
import { callHost } from '../transport/callHost'
import type { ReconnectOptions } from '../transport/createReconnectPolicy'
import type { WebSocketConstructor } from '../transport/createWebSocketTransport'
import type {
  Transport,
  TransportError,
  TransportFactory,
  TransportHandlers,
  UrlProvider,
} from '../transport/transport'
import {
  createProgressStore,
  type ProgressError,
  type ProgressStore,
  type ProgressStoreOptions,
} from './createProgressStore'
import { createSilenceWatch } from './createSilenceWatch'
import { defaultSchedulerEnv } from './flushScheduler'
import { openTransport } from './openTransport'

/** Everything the client reports: the store's frame errors, plus transport trouble. */
export type ProgressClientError = ProgressError | { kind: 'transport'; error: TransportError }

export interface ProgressClientOptions
  extends Omit<ProgressStoreOptions, 'onAction' | 'onError' | 'autoFollow' | 'connection'> {
  /** Where the hub listens; a function is asked again on every attempt (fresh auth tokens). */
  url?: UrlProvider
  /** Another way to reach the server (SSE, in-memory); replaces `url`, `WebSocket`, `protocols`, `reconnect`. */
  transport?: TransportFactory
  /** Default: the global `WebSocket`. Node 20 has none: pass `ws`'s. */
  WebSocket?: WebSocketConstructor
  protocols?: string | string[]
  /** reconnecting-websocket's option names; delays get full jitter. */
  reconnect?: ReconnectOptions
  /** Source of reconnect jitter, [0, 1). */
  random?: () => number
  onError?: (error: ProgressClientError) => void
  /**
   * Once nothing is followed for this long, the connection closes; the next `follow` opens it again. `false`
   * keeps it open. Default 30 s. (The first connection opens on the first `follow`, never before.)
   */
  idleCloseMs?: number | false
  /** The connection opened: the first time, and again after each loss (`reconnected`). */
  onOpen?: (info: { reconnected: boolean }) => void
  /**
   * An open connection closed: `lost` (it reconnects), `idle` (nothing followed; the next `follow` reconnects),
   * `gave-up` (the transport stopped trying), or `closed` (`client.close()`).
   */
  onClose?: (info: { reason: 'lost' | 'idle' | 'gave-up' | 'closed' }) => void
}

/** How long a connection with nothing to follow stays open, by default. */
export const IDLE_CLOSE_MS = 30_000

/** What the client did on the wire, for diagnostics and tests. */
export interface ClientStats {
  opens: number
  drops: number
  /** `subscribe` frames with `epoch`/`after`: resumes that ask the server to replay. */
  resumes: number
  /** Plain `subscribe` frames: first subscriptions and requests for a snapshot. */
  subscribes: number
  resyncs: number
  unsubscribes: number
  /** Frames that could not be sent because the socket was not open (the next open resubscribes). */
  unsent: number
  /** Open connections dropped because they stayed silent past the heartbeat timeout (PROTOCOL rule 8). */
  silences: number
}

export interface ProgressClient {
  /** The vanilla Zustand store: `store.getState().runs[runId]`, `.connection`, `.stats`. */
  store: ProgressStore['store']
  /** Starts following a run; subscribes now when open, or on the next open. */
  follow(runId: string): void
  unfollow(runId: string): void
  followed(): string[]
  /** Publishes pending store changes now. */
  flush(): void
  /** Replaces `onError` without reconnecting (hosts pass new callbacks on every render). */
  setOnError(onError: ((error: ProgressClientError) => void) | undefined): void
  stats(): Readonly<ClientStats>
  /** Closes the connection for good, clears every timer, and ignores whatever the old socket still says. */
  close(): void
}

/**
 * The live client: one reconnecting socket for any number of runs, resuming each from its last
 * applied seq on every (re)connect, asking for a resync when a hole stays open. The socket opens on the first
 * `follow` (never at creation, so a client made at module scope costs nothing while a page is prerendered) and
 * closes `idleCloseMs` after the last `unfollow`.
 * @example
 * const client = createProgressClient({ url: 'wss://example.com/live' })
 * client.follow('run-1')
 * client.store.subscribe((state) => draw(state.runs['run-1']))
 * // later
 * client.close()
 */
export function createProgressClient(options: ProgressClientOptions): ProgressClient {
  const {
    url,
    transport: factory,
    WebSocket,
    protocols,
    reconnect,
    random,
    onError,
    idleCloseMs = IDLE_CLOSE_MS,
    onOpen,
    onClose,
    ...storeOptions
  } = options
  const callbacks = { onError }
  const timers = storeOptions.env ?? defaultSchedulerEnv()
  const counters: ClientStats = {
    opens: 0,
    drops: 0,
    resumes: 0,
    subscribes: 0,
    resyncs: 0,
    unsubscribes: 0,
    unsent: 0,
    silences: 0,
  }
  let closed = false
  let everOpen = false
  // The current connection has been open (its drop is news for onClose).
  let up = false
  let openedEarly = false
  let idleTimer: unknown = null
  let transport: Transport | null = null

  const report = (error: ProgressClientError) => {
    if (!closed) callHost(callbacks.onError, error)
  }

  // A foreign backend (an `adapter` is given) does not speak the protocol: it streams what it streams, so its
  // runs are followed as they appear and no subscribe/resync/unsubscribe frame is ever sent to it.
  const foreign = storeOptions.adapter !== undefined
  const progress = createProgressStore({
    ...storeOptions,
    autoFollow: foreign,
    connection: 'idle',
    onError: report,
    onAction: (run, action) => answer(run, action),
  })

  // Rule 8 (PROTOCOL v1.1): a connection that follows runs and hears nothing for the heartbeat timeout is dead. An
  // adapter's foreign backend promises no heartbeats, so its silence proves nothing. (A custom transport without
  // reconnect() is left as it is: its runs go stale, which the badge says.)
  let announced = progress.heartbeatMs()
  const silence = createSilenceWatch({
    timeoutMs: () => heartbeatTimeout(storeOptions.heartbeatTimeoutMs, progress.heartbeatMs()),
    lastFrameAt: progress.lastFrameAt,
    active: () => !closed && !foreign && transport?.isOpen === true && progress.followed().length > 0,
    silent() {
      counters.silences++
      transport?.reconnect?.()
    },
    now: storeOptions.now ?? Date.now,
    timers,
  })

  /** Sends a frame and counts it under `counter`, or as unsent when the socket is not open. */
  function send(frame: ClientFrame, counter: keyof ClientStats): boolean {
    if (foreign) return false
    const sent = !closed && transport?.isOpen === true && transport.send(encodeFrame(frame))
    counters[sent ? counter : 'unsent']++
    return sent
  }

  // Resume where the run stands; a run with nothing applied in its epoch asks for everything.
  function subscribe(run: string) {
    const position = progress.position(run)
    const resume = position !== null && position.epoch !== null && position.applied > 0
    const frame: ClientFrame = {
      v: 1,
      type: 'subscribe',
      run,
      ...(resume && { epoch: position.epoch!, after: position.applied }),
    }
    if (send(frame, resume ? 'resumes' : 'subscribes')) progress.resubscribed(run)
  }

  function answer(run: string, action: SequencerAction) {
    if (!transport?.isOpen) return // the next open resubscribes with the latest position anyway
    if (action.type === 'snapshot-needed') send({ v: 1, type: 'subscribe', run }, 'subscribes')
    else send({ v: 1, type: 'resync', run, epoch: action.epoch, after: action.after }, 'resyncs')
  }

  // Late calls from a transport we already closed are dropped here, whatever the transport does.
  const handlers: TransportHandlers = {
    onConnecting(attempt) {
      if (!closed)
        progress.setConnection({ status: everOpen ? 'reconnecting' : 'connecting', attempts: attempt })
    },
    onOpen() {
      if (closed) return
      // A transport that opens inside its factory: subscribe once `transport` is set (see connect).
      if (transport === null) {
        openedEarly = true
        return
      }
      callHost(onOpen, { reconnected: everOpen })
      everOpen = true
      up = true
      counters.opens++
      progress.setConnection({ status: 'open', attempts: 0 })
      for (const run of progress.followed()) subscribe(run)
      silence.start(true)
    },
    onMessage(data) {
      if (closed) return
      progress.ingest(data)
      // A newly announced heartbeat period changes the timeout: count again with it.
      if (progress.heartbeatMs() !== announced) {
        announced = progress.heartbeatMs()
        silence.start(true)
      }
    },
    onClose(final) {
      if (closed) return
      silence.stop()
      if (!final) counters.drops++
      progress.setConnection({ status: final ? 'closed' : everOpen ? 'reconnecting' : 'connecting' })
      if (up || final) callHost(onClose, { reason: final ? 'gave-up' : 'lost' })
      up = false
    },
    onError(error) {
      report({ kind: 'transport', error })
    },
  }

  /** Opens the connection for the first `follow` (again after an idle close). */
  function connect() {
    if (transport || closed) return
    const opened = openTransport(handlers, options)
    if ('transport' in opened) {
      transport = opened.transport
      if (openedEarly) {
        openedEarly = false
        handlers.onOpen()
      }
    } else {
      // A placeholder, so later follows do not try again: the client is as good as closed.
      transport = { send: () => false, close() {}, isOpen: false }
      queueMicrotask(() => {
        report({ kind: 'transport', error: opened.failure })
        handlers.onClose(true)
      })
    }
  }

  /** Closes the connection (idle, or for good); `follow` opens a new one unless the client is closed. */
  function disconnect(reason: 'idle' | 'closed') {
    timers.clearTimeout(idleTimer)
    idleTimer = null
    silence.stop()
    try {
      transport?.close()
    } catch {
      // A transport that fails to close is gone for us all the same.
    }
    transport = null
    everOpen = false
    if (up) callHost(onClose, { reason })
    up = false
  }

  return {
    store: progress.store,
    follow(runId) {
      if (closed || progress.followed().includes(runId)) return
      timers.clearTimeout(idleTimer)
      idleTimer = null
      progress.follow(runId)
      if (transport) subscribe(runId)
      else {
        progress.setConnection({ status: 'connecting', attempts: 0 })
        connect()
      }
      silence.start()
    },
    unfollow(runId) {
      if (closed || !progress.followed().includes(runId)) return
      progress.unfollow(runId)
      send({ v: 1, type: 'unsubscribe', run: runId }, 'unsubscribes')
      if (progress.followed().length > 0 || idleCloseMs === false || !transport) return
      timers.clearTimeout(idleTimer)
      idleTimer = timers.setTimeout(() => {
        idleTimer = null
        disconnect('idle')
        progress.setConnection({ status: 'idle', attempts: 0 })
      }, idleCloseMs)
    },
    followed: () => progress.followed(),
    flush: () => progress.flush(),
    setOnError(next) {
      callbacks.onError = next
    },
    stats: () => ({ ...counters }),
    close() {
      if (closed) return
      disconnect('closed')
      progress.setConnection({ status: 'closed' })
      progress.flush()
      closed = true
      progress.destroy()
    },
  }
}
