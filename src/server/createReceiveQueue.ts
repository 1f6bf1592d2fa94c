/** What the queue needs of a connection's transport: a way to stop and restart reading from it. */
export interface ReceiveFlow {
  pause(): void
  resume(): void
}

export interface ReceiveQueueOptions {
  /** Time the hub's handlers may take in one turn of the event loop, ms; past it, messages wait for a later turn. */
  budgetMs: number
  /** Bytes one connection may have waiting; past it its socket is paused until they are handled. */
  maxQueuedBytes: number
  /** A monotonic clock, ms (`performance.now`). */
  clock: () => number
  /** Runs `fn` in a later turn (the hub's `setTimeout(fn, 0)`). */
  schedule: (fn: () => void) => void
}

/** One connection's place in the queue: its tasks run in the order it hands them over. */
export interface ReceiveLane {
  /** Runs `task` now if the turn's budget allows and nothing is waiting; otherwise after what is waiting. */
  run(task: () => void, bytes?: number): void
}

export interface ReceiveQueue {
  lane(flow: ReceiveFlow): ReceiveLane
  /** Tasks waiting for a later turn. */
  readonly size: number
}

export const RECEIVE_DEFAULTS = { budgetMs: 10, maxQueuedBytes: 256 * 1024 } as const

interface Waiting {
  lane: LaneState
  task: () => void
  bytes: number
}

interface LaneState {
  flow: ReceiveFlow
  queuedBytes: number
  paused: boolean
}

/**
 * Spends at most `budgetMs` of a turn of the event loop on received messages, for the whole hub. Node runs the
 * messages of every socket that one poll read in one turn (`ws` defers each socket's next message to the check
 * phase, all sockets' together), so 500 sockets sending at once hold the loop for all their handlers, replies
 * and socket writes included. Past the budget, messages wait in one queue, first come first
 * served, and run a budget per turn, with timers and other sockets in between; one connection's messages keep
 * their order, and a connection with more than `maxQueuedBytes` waiting is paused, so the queue is bounded.
 * @example
 * const queue = createReceiveQueue({ ...RECEIVE_DEFAULTS, clock: () => performance.now(), schedule: (fn) => setTimeout(fn, 0) })
 * const lane = queue.lane(socket)
 * socket.on('message', (data) => lane.run(() => handle(data), data.length))
 */
export function createReceiveQueue(options: ReceiveQueueOptions): ReceiveQueue {
  const { budgetMs, maxQueuedBytes, clock, schedule } = options
  // A FIFO read from `head`; its handled front is cut off once it is half the array, so a queue that never
  // empties holds no more than twice what waits.
  const waiting: (Waiting | undefined)[] = []
  let head = 0
  let ticking = false
  // When the current turn's handlers began; meaningful only while a tick is scheduled to end the turn's window.
  let turnStart = 0

  function startTick() {
    if (ticking) return
    ticking = true
    schedule(tick)
  }

  function tick() {
    ticking = false
    if (head === waiting.length) return
    turnStart = clock()
    try {
      do runWaiting()
      while (head < waiting.length && clock() - turnStart < budgetMs)
    } finally {
      if (head < waiting.length) startTick()
      if (head * 2 >= waiting.length) {
        waiting.splice(0, head)
        head = 0
      }
    }
  }

  function runWaiting() {
    const next = waiting[head]!
    waiting[head++] = undefined
    const lane = next.lane
    lane.queuedBytes -= next.bytes
    try {
      next.task()
    } finally {
      if (lane.paused && lane.queuedBytes <= maxQueuedBytes / 2) {
        lane.paused = false
        lane.flow.resume()
      }
    }
  }

  function run(lane: LaneState, task: () => void, bytes: number) {
    if (head === waiting.length) {
      if (!ticking) {
        turnStart = clock()
        startTick()
      }
      if (clock() - turnStart < budgetMs) return task()
    }
    waiting.push({ lane, task, bytes })
    lane.queuedBytes += bytes
    if (!lane.paused && lane.queuedBytes > maxQueuedBytes) {
      lane.paused = true
      lane.flow.pause()
    }
    startTick()
  }

  return {
    lane(flow) {
      const lane: LaneState = { flow, queuedBytes: 0, paused: false }
      return { run: (task, bytes = 0) => run(lane, task, bytes) }
    },
    get size() {
      return waiting.length - head
    },
  }
}
