/** A coalescing writer: many `mark()`s within `periodMs` become one `save()` of the latest state. */
export interface PersistWriter {
  /** Something changed: save within `periodMs`. */
  mark(): void
  /** Save now if anything is unsaved (terminal events, shutdown); resolves when written. */
  flush(): Promise<void>
  /** Stops the pending timer (unsaved changes stay unsaved unless `flush` was awaited). */
  dispose(): void
}

export interface PersistWriterOptions {
  /** Reads the latest state at write time, so a write always carries everything marked before it. */
  save: () => void | Promise<void>
  periodMs: number
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
  onError: (error: unknown) => void
}

/**
 * At most one write in flight and at most one per `periodMs`; a failed write is reported and retried on
 * the next mark.
 * @example
 * const writer = createPersistWriter({ save: () => store.save(id, current()), periodMs: 1000, ...timers })
 * writer.mark()
 */
export function createPersistWriter(options: PersistWriterOptions): PersistWriter {
  let timer: unknown
  let running: Promise<void> | null = null
  let dirty = false

  function schedule() {
    if (timer === undefined && running === null && dirty) {
      timer = options.setTimeout(() => {
        timer = undefined
        void flush()
      }, options.periodMs)
    }
  }

  function flush(): Promise<void> {
    if (timer !== undefined) {
      options.clearTimeout(timer)
      timer = undefined
    }
    if (running) return running.then(() => flush())
    if (!dirty) return Promise.resolve()
    dirty = false
    running = Promise.resolve()
      .then(options.save)
      .catch((error: unknown) => {
        dirty = true
        options.onError(error)
      })
      .finally(() => {
        running = null
        // Changes marked during the write wait for the next period, not for the next mark.
        schedule()
      })
    return running
  }

  return {
    mark() {
      dirty = true
      schedule()
    },
    flush,
    dispose() {
      if (timer !== undefined) options.clearTimeout(timer)
      timer = undefined
      dirty = false
    },
  }
}
