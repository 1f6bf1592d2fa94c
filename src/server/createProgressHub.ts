import type { RunState } from '../protocol/types'
import { acceptSocket, attachSockets, type SocketLike, type SocketServerLike } from './acceptSocket'
import { type Connection, createConnection, type HubConnection, type HubPeer } from './createConnection'
import { createHangupQueue, HANGUP_SLICE } from './createHangupQueue'
import { createHeldRuns } from './createHeldRuns'
import { createPingWatch } from './createPingWatch'
import { createReceiveQueue, RECEIVE_DEFAULTS } from './createReceiveQueue'
import { createReplayPump } from './createReplayPump'
import type { RunFeed } from './createRunFeed'
import { createRunPublisher, type RunPublisher } from './createRunPublisher'
import { createRunRecord, type FollowedRun, type RunRecord, type RunRecordContext } from './createRunRecord'
import { createTurnClock } from './createTurnClock'
import { createHubCounters, createRunGauges, type HubMetrics } from './hubMetrics'
import { type ProgressHubOptions, resolveHubOptions } from './hubOptions'

/** Connections sent their heartbeats per turn of the event loop. */
const BEAT_SLICE = 128

/** The in-memory registry of runs and the protocol endpoint for any number of connections. */
export interface ProgressHub<Request = unknown> {
  /** The publisher of `runId`, creating the run on first use. Throws a TypeError for an id PROTOCOL forbids. */
  run(runId: string): RunPublisher
  /** The current state of a run in the registry, if any. */
  state(runId: string): RunState | undefined
  /** Epoch, head and state of a run that has issued events (what a snapshot carries), without claiming it. */
  peek(runId: string): { epoch: string; seq: number; state: RunState } | undefined
  /**
   * Serves one client over any transport. Call `receive` with each incoming message and `closed` once when
   * the transport has closed. `request` is handed to `authorize`.
   */
  connect(peer: HubPeer, request?: Request): HubConnection
  /** Serves one WebSocket (`ws`'s, or anything {@link SocketLike}), pinging it every `pingMs` to free a dead peer. */
  accept(socket: SocketLike, request?: Request): HubConnection
  /**
   * Serves every connection of a WebSocket server (`ws`'s `WebSocketServer`, or anything with its
   * `on/off('connection')`). `close()` stops accepting and ends the sockets it accepted.
   */
  attach(server: SocketServerLike<Request>): { close(): Promise<void> }
  metrics(): HubMetrics
  /** Stops heartbeats and timers, closes every connection (1001), writes unsaved state. Idempotent. */
  close(): Promise<void>
}

/**
 * Creates a progress hub. It imports nothing from Node or `ws`, so the same hub runs in a browser over an
 * in-memory transport; bind it to sockets with `attachWebSocket`.
 * @example
 * const hub = createProgressHub({ authorize: (req, runId) => canSee(req, runId) })
 * attachWebSocket(hub, httpServer, { path: '/progress' })
 * const run = hub.run(jobId)
 * await run.start([{ id: 'search', label: 'Search', weight: 3 }, { id: 'write', label: 'Write', weight: 1 }])
 * await Promise.all(queries.map((q, i) => search(q, (done, total) => run.taskProgress('search', `q${i}`, done, total))))
 * await run.transition('search', 'write')
 */
export function createProgressHub<Request = unknown>(
  options: ProgressHubOptions<Request> = {},
): ProgressHub<Request> {
  const resolved = resolveHubOptions(options)
  const counters = createHubCounters()
  const gauges = createRunGauges()
  const records = new Map<string, RunRecord>()
  const publishers = new WeakMap<RunRecord, RunPublisher>()
  const connections = new Set<Connection>()
  // Ids subscribed to before any producer claimed them; with persist, records loading for such ids (both
  // bounded together by maxHeldRuns).
  const heldRuns = createHeldRuns({
    counters,
    heartbeatMs: resolved.heartbeatMs,
    isForgotten: (id) => tombstones.has(id),
  })
  const heldRecords = new Set<RunRecord>()
  const later = (fn: () => void) => resolved.setTimeout(fn, 0)
  const pump = createReplayPump({
    chunkChars: resolved.replayChunkBytes,
    turnChars: resolved.replayTurnBytes,
    schedule: later,
  })
  const turn = createTurnClock(later)
  // Ids of runs that ended and were forgotten, oldest first (a Map keeps insertion order).
  const tombstones = new Map<string, true>()
  let heartbeatTimer: unknown
  let closed = false

  const recordContext: RunRecordContext = {
    options: resolved as never,
    counters,
    isClosed: () => closed,
    isForgotten: (id) => tombstones.has(id),
    remove(record) {
      heldRecords.delete(record)
      if (records.get(record.id) !== record) return record.dispose()
      records.delete(record.id)
      record.dispose()
      // Only a run that issued events leaves a tombstone; a held subscription for an id nobody used does not.
      if (record.head === 0 || resolved.tombstoneLimit === 0) return
      tombstones.delete(record.id)
      tombstones.set(record.id, true)
      if (tombstones.size > resolved.tombstoneLimit) tombstones.delete(tombstones.keys().next().value!)
    },
  }

  function record(runId: string): RunRecord {
    let found = records.get(runId)
    if (!found) {
      found = createRunRecord(runId, recordContext)
      records.set(runId, found)
    }
    return found
  }

  function heldCount(): number {
    for (const entry of heldRecords) if (!entry.held) heldRecords.delete(entry)
    return heldRuns.size + heldRecords.size
  }

  function hold(runId: string): FollowedRun | null {
    const found = records.get(runId) ?? heldRuns.get(runId)
    if (found) return found
    if (heldCount() >= resolved.maxHeldRuns) return null
    // Only a record can find out whether the store has a run of this id.
    if (!resolved.persist && !resolved.store) return heldRuns.hold(runId)
    const made = record(runId)
    heldRecords.add(made)
    return made
  }

  // Heartbeats go out a slice of connections per turn: thousands of connections, each following many runs, would
  // otherwise hold the event loop for one long loop of socket writes every `heartbeatMs`.
  let beating = false
  function beat() {
    if (beating) return
    beating = true
    const due = [...connections]
    const slice = (from: number) => {
      const ts = resolved.now()
      const end = Math.min(due.length, from + BEAT_SLICE)
      for (let i = from; i < end; i++) due[i]!.heartbeat(ts)
      if (end < due.length && !closed) later(() => slice(end))
      else beating = false
    }
    slice(0)
  }

  function onClosed(connection: Connection) {
    connections.delete(connection)
    if (connections.size === 0 && heartbeatTimer !== undefined) {
      resolved.clearInterval(heartbeatTimer)
      heartbeatTimer = undefined
    }
  }

  // One ping timer for every socket the hub serves; sockets it does not see (a custom `connect`) are not pinged.
  const pings = createPingWatch({
    periodMs: resolved.pingMs,
    setInterval: resolved.setInterval,
    clearInterval: resolved.clearInterval,
  })
  // One queue for the sockets whose peers hang up: a crowd leaving at once is closed a slice per turn.
  const hangups = createHangupQueue({ slice: HANGUP_SLICE, schedule: later })
  // One budget per turn for every socket's messages: a crowd sending at once is handled a budget per turn.
  const receive = createReceiveQueue({
    ...RECEIVE_DEFAULTS,
    clock: () => globalThis.performance.now(),
    schedule: later,
  })
  const accept = (socket: SocketLike, request?: Request) =>
    acceptSocket(connect, socket, request, pings, { hangups, receive })

  function connect(peer: HubPeer, request?: Request): HubConnection {
    if (closed) {
      try {
        peer.close(1001, 'server shutting down')
      } catch {}
      return { receive() {}, closed() {} }
    }
    const connection = createConnection(peer, request as Request, {
      options: resolved,
      counters,
      pump,
      turn,
      find: (runId) => records.get(runId) ?? heldRuns.get(runId),
      hold,
      onClosed,
    })
    connections.add(connection)
    heartbeatTimer ??= resolved.setInterval(beat, resolved.heartbeatMs)
    return connection
  }

  return {
    run(runId) {
      if (typeof runId !== 'string' || runId.length < 1 || runId.length > 128) {
        throw new TypeError('run id must be a string of 1–128 characters')
      }
      // A producer reusing a forgotten id starts a new run (a new epoch) under it.
      tombstones.delete(runId)
      const found = record(runId)
      found.claim()
      heldRecords.delete(found)
      for (const subscriber of heldRuns.release(runId) as RunFeed[]) {
        subscriber.rebind(found)
        found.adopt(subscriber)
      }
      let publisher = publishers.get(found)
      if (!publisher) {
        publisher = createRunPublisher(found)
        publishers.set(found, publisher)
      }
      return publisher
    },
    state: (runId) => records.get(runId)?.state,
    peek(runId) {
      const found = records.get(runId)
      if (!found || found.head === 0) return undefined
      return { epoch: found.epoch, seq: found.head, state: found.state }
    },
    connect,
    accept,
    attach: (server) => attachSockets(accept, server),
    metrics() {
      const fromRuns = gauges.read(records.values())
      // Ids only subscribed to are pending runs with viewers, though they have no record yet.
      fromRuns.runsByStatus.pending += heldRuns.size
      fromRuns.viewers += heldRuns.viewers()
      return {
        ...counters,
        connections: connections.size,
        runs: records.size + heldRuns.size,
        forgotten: tombstones.size,
        held: heldCount(),
        replaying: pump.size,
        ...fromRuns,
      }
    },
    async close() {
      if (closed) return
      closed = true
      if (heartbeatTimer !== undefined) resolved.clearInterval(heartbeatTimer)
      heartbeatTimer = undefined
      for (const connection of [...connections]) connection.close(1001, 'server shutting down')
      pump.dispose()
      const all = [...records.values()]
      await Promise.all(all.map((found) => found.flush()))
      for (const found of all) found.dispose()
      records.clear()
      heldRuns.clear()
      heldRecords.clear()
      tombstones.clear()
    },
  }
}
