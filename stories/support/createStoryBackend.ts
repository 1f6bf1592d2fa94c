import { type ChaosPeer, type ChaosSettings, type ChaosStats, createChaosPeer } from '../../demo/chaosPeer'
import { createHubHost, type HubHost } from '../../demo/createHubHost'
import { createNaiveProgress, type NaiveProgress } from '../../demo/naiveProgress'
import { seededRandom, simulateResearchRun } from '../../demo/simulateResearchRun'
import { createProgressClient, type ProgressClient } from '../../src/client/createProgressClient'
import type { HubConnection } from '../../src/server/createConnection'
import { createMemoryTransport, type MemoryTransport } from '../../src/transport/createMemoryTransport'

export interface StoryBackendOptions {
  /** Read on every frame, so controls changed while a run plays apply at once. */
  chaos: () => ChaosSettings
  /** Seeds the chaos (which frames are held, copied, dropped). */
  seed?: number
  /** Pause before the client reconnects after a drop, ms: long enough to see "Reconnecting…". */
  reconnectDelayMs?: number
  /** The hub's heartbeat period; the client gives a silent connection 2.5 of them (PROTOCOL rule 8). */
  heartbeatMs?: number
}

export interface PlayOptions {
  seed: number
  /** Speed-up over real time, read before every wait. */
  rate: () => number
  /** Told once if the simulation stops with an error (never for `stop()`). */
  onError?: (error: unknown) => void
}

/** The demo's backend moved into the page: what a story plays against. */
export interface StoryBackend {
  /** The one client, over the one in-memory transport. */
  readonly client: ProgressClient
  /** Every frame the client received, read the naive way (last message wins). */
  readonly naive: NaiveProgress
  readonly host: HubHost
  readonly memory: MemoryTransport
  /** Plays a simulated research run under `runId`; returns a function that stops it. */
  play(runId: string, options: PlayOptions): () => void
  /** Drops the connection now, like a lost network. */
  drop(): void
  /** Stalls the connection now: open, but nothing more reaches the client (a stuck proxy). */
  stall(): void
  /** Stops every simulation now (no error is reported for them). */
  stopAll(): void
  /**
   * The backend loses the job and starts it over: the hub restarts without its stored runs, so the run's next
   * events come under a new epoch from seq 1. Stop the simulation first, play it again after.
   */
  restartJob(): Promise<void>
  /** Restarts the hub now (clients resume from the persisted log). */
  restart(): Promise<void>
  /** Restarts the hub every `ms` (0 stops). */
  restartEvery(ms: number): void
  /** What chaos did, summed over every connection so far. */
  chaosStats(): ChaosStats
  close(): void
}

const NO_CHAOS: ChaosStats = { sent: 0, reordered: 0, duplicated: 0, dropped: 0, kills: 0, swallowed: 0 }

/**
 * The real hub (behind the demo's hub host, so it can restart), the demo's chaos peer on every connection, an
 * in-memory transport and the real client, all in the browser: no server. The naive reader is fed the very
 * frames the client receives, before the client sees them.
 * @example
 * const backend = createStoryBackend({ chaos: () => ({ reorder: 0.2, duplicate: 0.1, drop: 0.05, killEveryMs: 0 }) })
 * const stop = backend.play('run-1', { seed: 1, rate: () => 5 })
 */
export function createStoryBackend(options: StoryBackendOptions): StoryBackend {
  const host = createHubHost({ heartbeatMs: options.heartbeatMs })
  const random = seededRandom(options.seed ?? 1)
  const naive = createNaiveProgress()
  const live = new Set<ChaosPeer>()
  const retired = { ...NO_CHAOS }
  const stops = new Set<() => void>()
  let restartTimer: ReturnType<typeof setTimeout> | undefined
  let closed = false

  // A connection's chaos counts stay in the totals after it is gone.
  function retire(peer: ChaosPeer) {
    if (!live.delete(peer)) return
    peer.dispose()
    const stats = peer.stats()
    for (const key of Object.keys(retired) as (keyof ChaosStats)[]) retired[key] += stats[key]
  }

  const memory = createMemoryTransport(
    (peer) => {
      let connection: HubConnection | undefined
      const wire = {
        send: (text: string) => peer.send(text),
        bufferedAmount: 0,
        // Closed by the hub (restart) or by chaos: either way this connection's counts are final.
        close(code: number, reason: string) {
          peer.close(code, reason)
          retire(chaos)
        },
      }
      const chaos = createChaosPeer(wire, {
        settings: options.chaos,
        random,
        // Chaos cut the wire; the hub hears it as the socket's close.
        onKill: () => connection?.closed(),
      })
      live.add(chaos)
      connection = host.hub.connect(chaos)
      const hub = connection
      return {
        receive: (data) => hub.receive(data),
        closed() {
          retire(chaos)
          hub.closed()
        },
      }
    },
    { reconnectDelayMs: options.reconnectDelayMs ?? 500 },
  )

  const client = createProgressClient({
    transport: (handlers) =>
      memory({
        ...handlers,
        onMessage(data) {
          naive.feed(data)
          handlers.onMessage(data)
        },
      }),
  })

  function restartEvery(ms: number) {
    if (restartTimer !== undefined) clearTimeout(restartTimer)
    restartTimer = undefined
    if (ms <= 0 || closed) return
    restartTimer = setTimeout(() => {
      void host.restart().then(() => restartEvery(ms))
    }, ms)
  }

  return {
    client,
    naive,
    host,
    memory,
    play(runId, { seed, rate, onError }) {
      const controller = new AbortController()
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => setTimeout(resolve, ms / Math.max(0.1, rate())))
      simulateResearchRun(host.publisher(runId, controller.signal), {
        seed,
        sleep,
        signal: controller.signal,
      }).catch((error) => {
        if (!controller.signal.aborted && !closed) onError?.(error)
      })
      const stop = () => {
        controller.abort()
        stops.delete(stop)
      }
      stops.add(stop)
      return stop
    },
    drop: () => memory.kill(),
    stall() {
      for (const peer of live) peer.stall()
    },
    stopAll() {
      for (const stop of [...stops]) stop()
    },
    restartJob: () => host.restart({ fresh: true }),
    restart: () => host.restart(),
    restartEvery,
    chaosStats() {
      const total = { ...retired }
      for (const peer of live) {
        const stats = peer.stats()
        for (const key of Object.keys(total) as (keyof ChaosStats)[]) total[key] += stats[key]
      }
      return total
    },
    close() {
      if (closed) return
      closed = true
      restartEvery(0)
      for (const stop of [...stops]) stop()
      client.close()
      void host.close()
    },
  }
}
