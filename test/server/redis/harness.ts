import { applyEvent, createRunState } from '../../../src/core/applyEvent'
import type { RunState, ServerFrame } from '../../../src/protocol/types'
import { createProgressHub, type ProgressHub } from '../../../src/server'
import type { ProgressHubOptions } from '../../../src/server/hubOptions'
import { createRedisStore, type RedisStore } from '../../../src/server/redis/createRedisStore'
import { connectMemory } from '../memoryPeer'

/** A hub with its own Redis connections, as one instance of a deployment would have. */
export async function startInstance(url: string, options: ProgressHubOptions & { logLimit?: number } = {}) {
  const store: RedisStore = createRedisStore({ url, logLimit: options.logLimit ?? 10_000 })
  await store.ready()
  const hub: ProgressHub = createProgressHub({ heartbeatMs: 200, pingMs: 0, ...options, store })
  return {
    hub,
    store,
    async close() {
      await hub.close()
      await store.close()
    },
  }
}

export type Instance = Awaited<ReturnType<typeof startInstance>>

/** Waits until `check` holds, polling every 10 ms. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * A viewer that follows one run as a client would: applies events in seq order within an epoch, takes a
 * snapshot's position, and records every seq it applied (to check for gaps and duplicates).
 */
export function follower(hub: ProgressHub, run: string, from?: { epoch: string; seq: number }) {
  let current = connectMemory(hub)
  const position = { epoch: from?.epoch as string | undefined, seq: from?.seq ?? 0 }
  const applied: { epoch: string; seq: number }[] = []
  // Seqs that skipped ahead within an epoch, and seqs sent again: both must stay empty.
  const gaps: string[] = []
  const duplicates: number[] = []
  // The run's state as a client builds it: a snapshot's, then each applied event on top.
  let state: RunState = createRunState()
  const snapshots: { epoch: string; seq: number }[] = []
  let seen = 0
  const drain = () => {
    for (; seen < current.frames.length; seen++) {
      const frame = current.frames[seen] as ServerFrame & { epoch?: string; seq?: number }
      if (!('run' in frame) || frame.run !== run) continue
      if (frame.type === 'snapshot') {
        state = (frame as { state: RunState }).state
        position.epoch = frame.epoch
        position.seq = frame.seq!
        snapshots.push({ epoch: frame.epoch!, seq: frame.seq! })
      } else if (typeof frame.seq === 'number' && frame.epoch !== undefined) {
        if (frame.epoch === position.epoch && frame.seq <= position.seq) {
          duplicates.push(frame.seq)
          continue
        }
        if (frame.epoch === position.epoch && frame.seq !== position.seq + 1) {
          gaps.push(`${frame.seq} after ${position.seq}`)
        }
        applied.push({ epoch: frame.epoch, seq: frame.seq })
        state = applyEvent(state, frame as never).state
        position.epoch = frame.epoch
        position.seq = frame.seq
      }
    }
  }
  current.send({ v: 1, type: 'subscribe', run, ...(from ? { epoch: from.epoch, after: from.seq } : {}) })
  return {
    position,
    applied,
    gaps,
    duplicates,
    snapshots,
    frames: () => current.frames,
    state: () => state,
    read() {
      drain()
      return position
    },
    /** Leaves this hub and resumes on `next` from the position reached, as a reconnecting client does. */
    moveTo(next: ProgressHub) {
      drain()
      current.connection.closed()
      current = connectMemory(next)
      seen = 0
      current.send({ v: 1, type: 'subscribe', run, epoch: position.epoch, after: position.seq })
    },
    close() {
      current.connection.closed()
    },
  }
}
