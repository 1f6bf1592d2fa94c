import type { Random } from './random'
import type { LogFrame } from './recordRun'

export interface ChaosOptions {
  /** Frames may overtake each other within this many positions. */
  window: number
  duplicate: number
  drop: number
}

export interface Delivery {
  frame: LogFrame
  /** Why this frame is here, when it is not a plain in-order delivery. */
  note?: 'duplicate' | 'late'
}

/**
 * What many concurrent producers do to one log on its way to the browser: frames overtake each other
 * within a window, some arrive twice, some never arrive. The result is the order the client sees.
 */
export function chaos(
  log: readonly LogFrame[],
  random: Random,
  options: ChaosOptions,
): {
  deliveries: Delivery[]
  dropped: number[]
} {
  const dropped: number[] = []
  const kept: LogFrame[] = []
  for (const frame of log) {
    // Never drop the first or the last frame: a lost tail is the heartbeat's job, tested elsewhere.
    const droppable = frame.type !== 'heartbeat' && frame.seq > 1 && frame.type !== 'run_completed'
    if (droppable && random.chance(options.drop)) dropped.push(frame.seq)
    else kept.push(frame)
  }
  // Sort by a jittered key: each frame moves at most `window` places.
  const order = kept
    .map((frame, index) => ({ frame, key: index + random.next() * options.window }))
    .sort((a, b) => a.key - b.key)
  const deliveries: Delivery[] = []
  order.forEach(({ frame }, index) => {
    const original = kept.indexOf(frame)
    deliveries.push(original < index ? { frame, note: 'late' } : { frame })
    if (random.chance(options.duplicate)) deliveries.push({ frame, note: 'duplicate' })
  })
  return { deliveries, dropped }
}
