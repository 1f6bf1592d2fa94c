/**
 * Numbers the event loop's turns as they are observed: frames a client pipelined arrive in one turn, so two
 * answers with the same number came from one burst. Schedules one callback per turn in which it is read.
 * @example
 * const turn = createTurnClock((fn) => setTimeout(fn, 0))
 * if (answeredIn === turn()) return // the same burst asked twice
 */
export function createTurnClock(schedule: (fn: () => void) => void): () => number {
  let turn = 0
  let pending = false
  const advance = () => {
    pending = false
    turn++
  }
  return () => {
    if (!pending) {
      pending = true
      schedule(advance)
    }
    return turn
  }
}
