// Not the server index: it re-exports attachWebSocket, which would pull `ws` into the Chaos story's bundle.
import { createProgressHub, type ProgressHub } from '../src/server/createProgressHub'
import { PublishError } from '../src/server/PublishError'
import { createMemoryPersist } from '../src/server/persist'
import type { ResearchPublisher } from './simulateResearchRun'

/** A run's publisher that outlives hub restarts: what the simulations hold. */
export type DemoPublisher = ResearchPublisher & {
  fail(error?: string): Promise<unknown>
  cancel(reason?: string): Promise<unknown>
}

export interface HubHost {
  /** The hub serving now. */
  readonly hub: ProgressHub<unknown>
  readonly restarts: number
  /** Resolves once no restart is in progress. */
  ready(): Promise<void>
  /**
   * A publisher of `runId` that follows the current hub across restarts. Once `signal` is aborted it sends
   * nothing more (a job restarted from scratch must not get its old attempt's events), retries included.
   */
  publisher(runId: string, signal?: AbortSignal): DemoPublisher
  /**
   * Closes the hub (clients see 1001 and reconnect) and swaps in a new one. Both share one
   * `createMemoryPersist`, so every run keeps its epoch and seq: clients resume with a replay of what they
   * missed, and the bar never has to start over. `fresh`: the new hub starts without the stored runs (a restart
   * that lost its storage): every run gets a new epoch and its producer has to start the job over.
   */
  restart(options?: { fresh?: boolean }): Promise<void>
  close(): Promise<void>
}

export interface HubHostOptions {
  heartbeatMs?: number
  onError?: (error: unknown, context: string) => void
}

/**
 * Holds the demo's hub and swaps it on `restart()`. Why persistence rather than fresh epochs: that is how a
 * production backend should restart, and it shows the resume path (replay of the tail); without it the run
 * state would have to be re-declared by each producer and clients would fall back to snapshots.
 */
export function createHubHost(options: HubHostOptions = {}): HubHost {
  let persist = createMemoryPersist()
  const make = () =>
    createProgressHub({
      persist,
      // Short: a client that lost the tail to a dropped frame notices within a beat.
      heartbeatMs: options.heartbeatMs ?? 2_000,
      persistMs: 200,
      ...(options.onError && { onError: options.onError }),
    })
  let hub = make()
  let restarts = 0
  let gate: Promise<void> | null = null
  let closed = false

  async function ready() {
    while (gate) await gate
  }

  // Calls the current hub; an event caught by a closing hub is sent again to the next one.
  async function call(
    runId: string,
    method: string,
    args: unknown[],
    signal?: AbortSignal,
  ): Promise<unknown> {
    for (;;) {
      await ready()
      // A stopped job sends nothing more, to this hub or the next.
      if (signal?.aborted) throw signal.reason
      const target = hub.run(runId) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>
      try {
        return await target[method]!(...args)
      } catch (error) {
        const retry =
          !closed && !signal?.aborted && error instanceof PublishError && error.reason === 'hub_closed'
        if (!retry) throw error
      }
    }
  }

  return {
    get hub() {
      return hub
    },
    get restarts() {
      return restarts
    },
    ready,
    publisher(runId, signal) {
      return new Proxy({} as DemoPublisher, {
        get: (_, method) =>
          typeof method === 'string' ? (...args: unknown[]) => call(runId, method, args, signal) : undefined,
      })
    },
    async restart({ fresh = false } = {}) {
      if (gate || closed) return gate ?? undefined
      let open = () => {}
      gate = new Promise<void>((resolve) => {
        open = resolve
      })
      try {
        await hub.close() // writes every run to the store before the new hub reads it
        if (fresh) persist = createMemoryPersist()
        hub = make()
        restarts++
      } finally {
        gate = null
        open()
      }
    },
    async close() {
      closed = true
      await ready()
      await hub.close()
    },
  }
}
