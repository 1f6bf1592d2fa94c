/** A long answer (a replay) sent a chunk at a time. */
export interface PumpJob {
  /** Sends about `maxChars` more (at least one frame); says how much it sent and whether it has finished. */
  step(maxChars: number): { sent: number; done: boolean }
}

export interface ReplayPump {
  /** Sends the first chunk of `job` now and the rest in later turns of the event loop. */
  start(job: PumpJob): void
  /** Drops a job (its connection closed, or asked again from elsewhere). */
  cancel(job: PumpJob): void
  /** Jobs waiting for a later turn. */
  readonly size: number
  dispose(): void
}

export interface ReplayPumpOptions {
  /** Characters one job may send per step. */
  chunkChars: number
  /** Characters all jobs together may send per turn before yielding to the event loop. */
  turnChars: number
  /** Runs `fn` in a later turn of the event loop. */
  schedule: (fn: () => void) => void
}

/**
 * The hub's one scheduler of replays: jobs take turns a chunk at a time (round robin), and a turn yields to
 * the event loop once `turnChars` went out, so no connection's replay holds the loop for long and many
 * replays share it fairly. Live events are never queued here: a job reads its run's log up to the head and
 * the connection switches to live delivery in the same step that sends the head.
 * @example
 * const pump = createReplayPump({ chunkChars: 16_384, turnChars: 131_072, schedule: (fn) => setTimeout(fn, 0) })
 * pump.start({ step: (max) => sendSome(max) })
 */
export function createReplayPump(options: ReplayPumpOptions): ReplayPump {
  const { chunkChars, turnChars, schedule } = options
  const queue = new Set<PumpJob>()
  let scheduled = false
  let disposed = false

  function later() {
    if (scheduled || disposed || queue.size === 0) return
    scheduled = true
    schedule(turn)
  }

  function turn() {
    scheduled = false
    let spent = 0
    while (spent < turnChars && queue.size > 0) {
      const job = queue.values().next().value!
      queue.delete(job)
      const { sent, done } = job.step(chunkChars)
      spent += Math.max(1, sent)
      if (!done) queue.add(job) // to the back: round robin
    }
    later()
  }

  return {
    start(job) {
      if (disposed) return
      if (!job.step(chunkChars).done) {
        queue.add(job)
        later()
      }
    },
    cancel(job) {
      queue.delete(job)
    },
    get size() {
      return queue.size
    },
    dispose() {
      disposed = true
      queue.clear()
    },
  }
}
