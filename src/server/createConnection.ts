import { decodeClientFrame } from '../protocol/codec'
import { createRateBudget } from './createRateBudget'
import type { ReplayPump } from './createReplayPump'
import { createRunFeed, type RunFeed } from './createRunFeed'
import type { FollowedRun, SubscribeRequest } from './createRunRecord'
import { createSendBudget } from './createSendBudget'
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
  /**
   * Reads from the transport so far. Frames of one read were pipelined: the client sent them before it could see
   * an answer given after that read. Without it, the hub's turn of the event loop stands in for a read.
   */
  reads?(): number
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
  pump: ReplayPump
  turn(): number
  /** The run, or the id held for its producer, if the hub has either. */
  find(runId: string): FollowedRun | undefined
  /** The run, or the id held for it if nobody published it yet; null when the hub holds too many. */
  hold(runId: string): FollowedRun | null
  onClosed(connection: Connection): void
}

/** The hub's side of a connection. */
export interface Connection extends HubConnection {
  close(code: number, reason: string): void
  heartbeat(ts: number): void
}

type Following = { kind: 'authorizing'; request: SubscribeRequest } | { kind: 'live'; feed: RunFeed }

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function'

/**
 * Per-connection protocol handling: decodes client frames, authorizes and answers subscriptions, and owns the
 * connection's single send funnel (every frame goes through `send`, which enforces the send budget). Three
 * budgets keep one client from taking more than its share: bytes queued for it (1013), subscribe/unsubscribe
 * frames per second (`rate_limited`), and frames the hub refused (1008 once spent).
 */
export function createConnection<Request>(
  peer: HubPeer,
  request: Request,
  ctx: ConnectionContext<Request>,
): Connection {
  const { options, counters } = ctx
  const following = new Map<string, Following>()
  let open = true

  const budget = createSendBudget({
    buffered: () => peer.bufferedAmount,
    maxBytes: options.maxBufferedBytes,
    stallMs: options.sendStallMs,
    now: options.now,
  })
  const requests = createRateBudget({
    burst: options.subscribeBurst,
    perSecond: options.subscribesPerSecond,
    now: options.now,
  })
  const refusals = createRateBudget({
    burst: options.refusalBurst,
    perSecond: options.refusalsPerSecond,
    now: options.now,
  })
  const sink = { send, pump: ctx.pump, counters, turn: peer.reads ?? ctx.turn }

  /** Closes (1013) a peer past its send budget: the client resumes from its last seq on a new connection. */
  function overBudget(): boolean {
    const verdict = budget.check()
    if (verdict === null) return false
    counters.backpressureCloses++
    close(1013, verdict === 'full' ? 'backpressure: resume later' : 'not reading: resume later')
    return true
  }

  function send(text: string): boolean {
    // Checked before sending: memory per connection stays below the cap plus one frame.
    if (!open || overBudget()) return false
    try {
      peer.send(text)
    } catch {
      close(1011, 'send failed')
      return false
    }
    budget.sent(text.length)
    return true
  }

  /** Answers a frame the hub will not act on; past the refusal budget the connection is closed (1008). */
  function refuse(code: string, message: string, run?: string) {
    if (!refusals.take()) {
      counters.policyCloses++
      return close(1008, `too many refused frames (last: ${code})`)
    }
    send(errorFrameText(code, message, run))
  }

  function teardown() {
    if (!open) return
    open = false
    for (const entry of following.values()) if (entry.kind === 'live') entry.feed.close()
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

  // Follows of held ids: an upper bound kept as they are added (a producer may claim one meanwhile), counted
  // exactly only when it reaches the cap, so a subscribe costs O(1) and not a scan of every follow.
  let heldBound = 0
  function heldHere(): number {
    if (heldBound < options.maxHeldPerConnection) return heldBound
    heldBound = 0
    for (const entry of following.values()) if (entry.kind === 'live' && entry.feed.run.held) heldBound++
    return heldBound
  }

  function settle(runId: string, entry: Following, allowed: boolean) {
    if (!open || following.get(runId) !== entry || entry.kind !== 'authorizing') return
    following.delete(runId)
    if (!allowed) {
      counters.forbidden++
      return refuse('forbidden', 'not allowed to follow this run', runId)
    }
    // Checked once allowed, so a refusal says nothing about a run the client may not see.
    const found = ctx.find(runId)
    if ((!found || found.held) && heldHere() >= options.maxHeldPerConnection) {
      counters.heldRefused++
      const message = `at most ${options.maxHeldPerConnection} runs not started yet per connection`
      return refuse('too_many_subscriptions', message, runId)
    }
    const run = found ?? ctx.hold(runId)
    if (!run) {
      counters.heldRefused++
      return refuse('overloaded', 'the server follows too many runs not started yet; retry later', runId)
    }
    const feed = createRunFeed(run, sink)
    if (run.held) heldBound++
    following.set(runId, { kind: 'live', feed })
    feed.request(entry.request)
  }

  function subscribe(runId: string, wanted: SubscribeRequest) {
    const entry = following.get(runId)
    if (entry?.kind === 'live') {
      if (!entry.feed.request(wanted)) counters.coalesced++
      return
    }
    // Still authorizing: answer the latest request once allowed.
    if (entry) {
      entry.request = wanted
      return
    }
    if (following.size >= options.maxSubscriptions) {
      return refuse(
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
    if (entry?.kind === 'live') {
      if (entry.feed.run.held) heldBound = Math.max(0, heldBound - 1)
      entry.feed.close()
    }
    following.delete(runId)
  }

  const connection: Connection = {
    receive(data: unknown, binary?: boolean) {
      if (!open) return
      if (binary === true) {
        counters.badFrames++
        return refuse('bad_frame', 'binary message: frames are JSON text')
      }
      const result = decodeClientFrame(data)
      if (!result.ok) {
        counters.badFrames++
        return refuse('bad_frame', `${result.error.code}: ${result.error.detail}`)
      }
      const frame = result.frame
      if (!requests.take()) {
        counters.rateLimited++
        return refuse('rate_limited', 'too many subscribe/unsubscribe frames; slow down', frame.run)
      }
      if (frame.type === 'unsubscribe') unsubscribe(frame.run)
      else subscribe(frame.run, { epoch: frame.epoch, after: frame.after })
    },
    closed: teardown,
    close,
    /**
     * Sends a heartbeat for every run this connection follows, issued or not (v1.1: head 0, no epoch), except runs
     * still catching up (the heartbeat would announce a head the client has not been sent yet).
     */
    heartbeat(ts: number) {
      if (!open || overBudget()) return
      for (const entry of following.values()) {
        if (!open) return
        if (entry.kind !== 'live' || entry.feed.catchingUp()) continue
        const text = entry.feed.run.heartbeatText(ts)
        if (text === null) continue
        counters.heartbeats++
        send(text)
      }
    },
  }
  return connection
}
