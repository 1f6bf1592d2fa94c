import { decodeClientFrame } from '../protocol/codec'
import type { RunRecord, RunSubscriber, SubscribeRequest } from './createRunRecord'
import { errorFrameText } from './errorFrameText'
import type { HubCounters } from './hubMetrics'
import type { ResolvedHubOptions } from './hubOptions'

/**
 * The transport seam: anything that can carry text frames to one client (a `ws` socket, a browser
 * `WebSocket`, an in-memory pipe in a story or test).
 */
export interface HubPeer {
  send(text: string): void
  /** Bytes queued but not yet written; the send funnel closes the peer with 1013 past the cap. */
  readonly bufferedAmount: number
  close(code: number, reason: string): void
}

/** What the transport calls back: each incoming message, and once when the peer has closed. */
export interface HubConnection {
  /** One incoming message; `binary` when the transport says it was a binary message (invalid: v1.1 decision 7). */
  receive(data: unknown, binary?: boolean): void
  closed(): void
}

export interface ConnectionContext<Request> {
  options: ResolvedHubOptions<Request>
  counters: HubCounters
  /** The run's record, created (held, empty) if nobody published it yet. */
  record(runId: string): RunRecord
  onClosed(connection: Connection): void
}

/** The hub's side of a connection. */
export interface Connection extends HubConnection {
  close(code: number, reason: string): void
  heartbeat(ts: number): void
}

type Following = { kind: 'authorizing'; request: SubscribeRequest } | { kind: 'live'; record: RunRecord }

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function'

/**
 * Per-connection protocol handling: decodes client frames, authorizes and answers subscriptions, and owns the
 * connection's single send funnel (every frame goes through `deliver`, which enforces the backpressure cap).
 */
export function createConnection<Request>(
  peer: HubPeer,
  request: Request,
  ctx: ConnectionContext<Request>,
): Connection {
  const { options, counters } = ctx
  const following = new Map<string, Following>()
  let open = true

  const subscriber: RunSubscriber = { deliver }

  function deliver(text: string) {
    if (!open) return
    // Checked before sending: memory per connection stays below the cap plus one frame.
    if (peer.bufferedAmount > options.maxBufferedBytes) {
      counters.backpressureCloses++
      close(1013, 'backpressure: resume later')
      return
    }
    try {
      peer.send(text)
    } catch {
      close(1011, 'send failed')
    }
  }

  function sendError(code: string, message: string, run?: string) {
    deliver(errorFrameText(code, message, run))
  }

  function teardown() {
    if (!open) return
    open = false
    for (const entry of following.values()) if (entry.kind === 'live') entry.record.unsubscribe(subscriber)
    following.clear()
    ctx.onClosed(connection)
  }

  function close(code: number, reason: string) {
    if (!open) return
    teardown()
    try {
      peer.close(code, reason)
    } catch {}
  }

  function settle(runId: string, entry: Following, allowed: boolean) {
    if (!open || following.get(runId) !== entry || entry.kind !== 'authorizing') return
    if (!allowed) {
      following.delete(runId)
      counters.forbidden++
      sendError('forbidden', 'not allowed to follow this run', runId)
      return
    }
    const record = ctx.record(runId)
    following.set(runId, { kind: 'live', record })
    record.subscribe(subscriber, entry.request)
  }

  function subscribe(runId: string, wanted: SubscribeRequest) {
    const entry = following.get(runId)
    if (entry?.kind === 'live') return entry.record.subscribe(subscriber, wanted)
    // Still authorizing: answer the latest request once allowed.
    if (entry) {
      entry.request = wanted
      return
    }
    if (following.size >= options.maxSubscriptions) {
      return sendError(
        'too_many_subscriptions',
        `at most ${options.maxSubscriptions} runs per connection`,
        runId,
      )
    }
    const pending: Following = { kind: 'authorizing', request: wanted }
    following.set(runId, pending)
    let verdict: unknown = true
    try {
      if (options.authorize) verdict = options.authorize(request, runId)
    } catch {
      verdict = false
    }
    if (!isThenable(verdict)) return settle(runId, pending, verdict === true)
    verdict.then(
      (allowed) => settle(runId, pending, allowed === true),
      () => settle(runId, pending, false),
    )
  }

  function unsubscribe(runId: string) {
    const entry = following.get(runId)
    if (entry?.kind === 'live') entry.record.unsubscribe(subscriber)
    following.delete(runId)
  }

  const connection: Connection = {
    receive(data: unknown, binary?: boolean) {
      if (!open) return
      if (binary === true) {
        counters.badFrames++
        return sendError('bad_frame', 'binary message: frames are JSON text')
      }
      const result = decodeClientFrame(data)
      if (!result.ok) {
        counters.badFrames++
        return sendError('bad_frame', `${result.error.code}: ${result.error.detail}`)
      }
      const frame = result.frame
      if (frame.type === 'unsubscribe') unsubscribe(frame.run)
      else subscribe(frame.run, { epoch: frame.epoch, after: frame.after })
    },
    closed: teardown,
    close,
    /** Sends a heartbeat for every run this connection follows, issued or not (v1.1: head 0, no epoch). */
    heartbeat(ts: number) {
      for (const entry of following.values()) {
        if (!open) return
        if (entry.kind !== 'live') continue
        const text = entry.record.heartbeatText(ts)
        if (text === null) continue
        counters.heartbeats++
        deliver(text)
      }
    },
  }
  return connection
}
