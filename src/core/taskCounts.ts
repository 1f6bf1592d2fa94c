import type { PhaseState } from '../protocol/types'

/** A phase's parallel tasks (PROTOCOL v1.1 decision 8): running now, done, and how many there are. */
export interface TaskCounts {
  /** Tasks heard from and not done, while the phase is active. */
  running: number
  /** Tasks whose `done` reached their `total`. */
  done: number
  /** Tasks the phase announced (`phase_started.tasks`), or heard from if more. */
  total: number
}

/**
 * The task counts of a phase, or undefined for a phase that announced no tasks and reported none. A task
 * announced but not heard from yet is neither running nor done; once the phase ended nothing runs.
 * @example
 * taskCounts(phase) // { running: 3, done: 1, total: 6 }: "3 of 6 searches running"
 */
export function taskCounts(phase: PhaseState): TaskCounts | undefined {
  const tasks = phase.tasks ?? []
  if (tasks.length === 0 && phase.taskCount === undefined) return undefined
  let done = 0
  for (const task of tasks) if (task.done >= task.total) done++
  return {
    running: phase.status === 'active' ? tasks.length - done : 0,
    done,
    total: Math.max(phase.taskCount ?? 0, tasks.length),
  }
}
