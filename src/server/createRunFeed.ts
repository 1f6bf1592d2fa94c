import type { LogEntry } from './createEventLog'
import type { PumpJob, ReplayPump } from './createReplayPump'
import type { FollowedRun, ReplaySource, RunAnswer, RunSubscriber, SubscribeRequest } from './createRunRecord'
import type { HubCounters } from './hubMetrics'

/** What a feed needs of its connection. */
export interface FeedSink {
  /** Sends one frame through the connection's budget; false once the connection is closed. */
  send(text: string): boolean
  pump: ReplayPump
  counters: HubCounters
  /** The number of the current burst: the transport's read (`HubPeer.reads`), else the event loop's turn. */
  turn(): number
}

/** One connection's follow of one run: live events, or catching up from the log before them. */
export interface RunFeed extends RunSubscriber {
  /** The run followed: a held id until a producer claims it (`rebind`), then its record. */
  readonly run: FollowedRun
  /** A producer claimed the held id: follow its record from now on. */
  rebind(run: FollowedRun): void
  /** Asks the run for `request`; false when it was coalesced with the answer this feed is already giving. */
  request(request: SubscribeRequest): boolean
  /** Reading the log: a heartbeat now would announce a head the client has not been sent yet. */
  catchingUp(): boolean
  /** Stops following (unsubscribe or the connection closed). */
  close(): void
}

/**
 * Carries out a run's answers on one connection. A replay is read from the log a chunk at a time by the hub's
 * pump; live events that arrive meanwhile are skipped (they are in the log, past the chunk being read), and the
 * step that sends the head switches the feed to live, so replay and live events meet with no gap and no
 * duplicate. A log trimmed under the reader turns the rest into a snapshot at the head.
 * @example
 * const feed = createRunFeed(run, sink)
 * feed.request({ epoch, after: 41 })
 */
export function createRunFeed(followed: FollowedRun, sink: FeedSink): RunFeed {
  // While catching up: the log read and the last seq sent from it; null once live.
  let log: ReplaySource | null = null
  let position: number | null = null
  let job: PumpJob | null = null
  // The last request asked of the run, and when: a repeat within the same burst is coalesced.
  let last: { epoch: string | undefined; after: number | undefined; turn: number; events: number } | null =
    null
  // Live events logged since the feed began (sent or skipped): the run moved on when this changes.
  let events = 0
  // When this feed was last sent a snapshot: a burst of requests from other positions gets no second one.
  let lastSnapshot: { turn: number; events: number } | null = null

  function stop() {
    if (job) sink.pump.cancel(job)
    job = null
    position = null
  }

  function snapshot(text: string): number {
    position = null
    sink.send(text)
    return text.length
  }

  function step(maxChars: number): { sent: number; done: boolean } {
    if (position === null || log === null) return { sent: 0, done: true }
    const entries = log.read(position, maxChars)
    if (entries === null) return { sent: snapshot(log.snapshotFrame()), done: true }
    let sent = 0
    for (const entry of entries) {
      if (!sink.send(entry.text)) {
        position = null
        return { sent, done: true }
      }
      sent += entry.text.length
      position = entry.seq
    }
    sink.counters.replayedEvents += entries.length
    // Synchronous with commits: the next event logged after the head reaches this feed live.
    if (position === log.head) position = null
    return { sent, done: position === null }
  }

  const feed: RunFeed = {
    // Plain data and methods only (no accessors): V8 keeps such an object small, and hubs hold many.
    run: followed,
    rebind(next) {
      ;(feed as { run: FollowedRun }).run = next
    },
    event(entry: LogEntry) {
      events++
      if (position === null) sink.send(entry.text)
    },
    answer(answer: RunAnswer) {
      const turn = sink.turn()
      // Within one burst, the snapshot this feed was just sent, the run unchanged: sending it again serves nothing.
      if (answer.kind === 'snapshot' && lastSnapshot?.turn === turn && lastSnapshot.events === events) {
        sink.counters.coalesced++
        return
      }
      stop()
      // v1.1 addition A: the acknowledgement precedes whatever answers the request.
      sink.send(answer.subscribed)
      if (answer.kind === 'held') {
        if (answer.text !== null) sink.send(answer.text)
      } else if (answer.kind === 'snapshot') {
        lastSnapshot = { turn, events }
        snapshot(answer.log.snapshotFrame())
      } else if (answer.kind === 'replay') {
        log = answer.log
        position = answer.after
        job = { step }
        sink.pump.start(job)
      }
    },
    request(request) {
      const turn = sink.turn()
      // The same position again while its answer is still going out, or within the burst that asked it, the run
      // unchanged since: the answer given serves it.
      const repeat =
        last !== null &&
        last.epoch === request.epoch &&
        last.after === request.after &&
        (position !== null || (last.turn === turn && last.events === events))
      if (repeat) return false
      last = { epoch: request.epoch, after: request.after, turn, events }
      feed.run.subscribe(feed, request)
      return true
    },
    catchingUp: () => position !== null,
    close() {
      stop()
      feed.run.unsubscribe(feed)
    },
  }
  return feed
}
