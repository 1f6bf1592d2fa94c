import type { FollowedRun, RunSubscriber } from './createRunRecord'
import { errorFrameText } from './errorFrameText'
import type { HubCounters } from './hubMetrics'
import { heartbeatText, subscribedText } from './livenessText'

/** An id subscribed to before any producer started a run under it. */
export interface HeldRun extends FollowedRun {
  readonly held: true
}

export interface HeldRuns {
  get(id: string): HeldRun | undefined
  /** Holds `id` for subscribers; the caller checks the cap (`size`). */
  hold(id: string): HeldRun
  /** A producer claimed `id`: the subscribers held for it, now the run's to serve (the held run is gone). */
  release(id: string): RunSubscriber[]
  readonly size: number
  /** Subscribers held over every id (each counts as a viewer of its run). */
  viewers(): number
  clear(): void
}

/**
 * Subscriptions to runs nobody has started, kept as little as possible: an id and its subscribers, no log,
 * state or timers (a few hundred bytes each, so a hub can afford `maxHeldRuns` of them). A held run answers
 * `subscribed` at head 0 (and `unknown_run` when a run of that id was forgotten) and beats at head 0 (v1.1
 * decision 10); its subscribers move to the run record when a producer claims the id, and it goes away with its
 * last subscriber.
 * @example
 * const held = createHeldRuns({ counters, isForgotten: (id) => tombstones.has(id) })
 * const run = held.get(id) ?? held.hold(id)
 */
export function createHeldRuns(ctx: {
  counters: HubCounters
  heartbeatMs: number
  isForgotten(id: string): boolean
}): HeldRuns {
  const runs = new Map<string, { run: HeldRun; subscribers: Set<RunSubscriber> }>()

  function make(id: string): HeldRun {
    const subscribers = new Set<RunSubscriber>()
    // Nothing issued: head 0 and no epoch on the wire.
    const nothing = { run: id, epoch: '', head: 0 }
    const run: HeldRun = {
      id,
      held: true,
      subscribe(subscriber) {
        subscribers.add(subscriber)
        let text: string | null = null
        if (ctx.isForgotten(id)) {
          ctx.counters.unknownRuns++
          text = errorFrameText('unknown_run', 'no such run (it ended and was forgotten)', id)
        }
        subscriber.answer({ subscribed: subscribedText(nothing, ctx.heartbeatMs), kind: 'held', text })
      },
      unsubscribe(subscriber) {
        subscribers.delete(subscriber)
        if (subscribers.size === 0 && runs.get(id)?.run === run) runs.delete(id)
      },
      heartbeatText: (ts) => heartbeatText(nothing, ts, null),
    }
    runs.set(id, { run, subscribers })
    return run
  }

  return {
    get: (id) => runs.get(id)?.run,
    hold: (id) => runs.get(id)?.run ?? make(id),
    release(id) {
      const entry = runs.get(id)
      if (!entry) return []
      runs.delete(id)
      return [...entry.subscribers]
    },
    get size() {
      return runs.size
    },
    viewers() {
      let count = 0
      for (const entry of runs.values()) count += entry.subscribers.size
      return count
    },
    clear: () => runs.clear(),
  }
}
