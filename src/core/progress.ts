import type { PhaseState, RunState } from '../protocol/types'

export interface ProgressOptions {
  /** Time scale of the creeping estimate for a phase that reports no counts and gives no `expectedMs`. */
  defaultExpectedMs?: number
  /** Highest fraction an estimate may claim of its phase: it never reaches the phase's end. */
  estimateCap?: number
  /** Highest value shown before `run_completed`: 100% means done, never "all phases look done". */
  incompleteCap?: number
}

export const PROGRESS_DEFAULTS = {
  defaultExpectedMs: 60_000,
  estimateCap: 0.95,
  incompleteCap: 0.99,
} as const

export interface ProgressReading {
  /** True progress (PROTOCOL formula): only what the server confirmed. */
  progress: number
  /**
   * What the bar aims for: each phase's confirmed fraction plus estimates for active phases without counts.
   * A phase counted by its tasks claims the sums over the tasks heard from (PROTOCOL): backends announce
   * every task up front (`done: 0`) so that the sums do not run ahead.
   */
  target: number
  /** Some of `target` is an estimate. */
  estimated: boolean
}

const totalWeight = (phases: readonly PhaseState[]) => phases.reduce((sum, p) => sum + p.weight, 0)

/**
 * A phase's confirmed fraction: 1 when done or skipped, done/total while active, else 0. A phase a cancelled run
 * skipped while it was active (decision 3) keeps the fraction it reached: the cancel is not progress.
 */
export function phaseFraction(phase: PhaseState): number {
  const counted = phase.status === 'active' || (phase.status === 'skipped' && phase.interrupted === true)
  if (!counted) return phase.status === 'done' || phase.status === 'skipped' ? 1 : 0
  if (phase.total !== undefined && phase.total > 0) {
    return Math.min(1, (phase.done ?? 0) / phase.total)
  }
  return 0
}

/** Counts that say nothing: an active phase with no total (or a zero total) is estimated by time. */
export const isEstimatedPhase = (phase: PhaseState): boolean =>
  phase.status === 'active' && (phase.total === undefined || phase.total === 0)

/** True progress = Σ weightᵢ·fractionᵢ / Σ weightᵢ, and 1 once completed. */
export function trueProgress(state: RunState): number {
  if (state.status === 'completed') return 1
  const weight = totalWeight(state.phases)
  if (weight <= 0) return 0
  let sum = 0
  for (const phase of state.phases) sum += phase.weight * phaseFraction(phase)
  return sum / weight
}

/**
 * An estimate that creeps toward, and never reaches, `cap`: 1 − e^(−t/τ) with τ = expectedMs / 2,
 * so a phase that takes as long as expected shows ~86% of its share and then slows right down.
 */
export function estimatedFraction(elapsedMs: number, expectedMs: number, cap: number): number {
  if (!(elapsedMs > 0)) return 0
  const tau = Math.max(1, expectedMs / 2)
  return cap * (1 - Math.exp(-elapsedMs / tau))
}

/**
 * Reads a run's progress at `serverNow` (the server's clock: phase start times are server times).
 * Estimates creep only while the run is running or queued; a failed or cancelled run keeps what it earned.
 * @example
 * const { progress, target, estimated } = readProgress(state, Date.now() - clockOffset)
 */
export function readProgress(
  state: RunState,
  serverNow: number,
  options: ProgressOptions = {},
): ProgressReading {
  const progress = trueProgress(state)
  const weight = totalWeight(state.phases)
  if (state.status === 'completed' || weight <= 0) return { progress, target: progress, estimated: false }
  const creeping = state.status === 'running' || state.status === 'queued'
  const cap = options.estimateCap ?? PROGRESS_DEFAULTS.estimateCap
  const fallback = options.defaultExpectedMs ?? PROGRESS_DEFAULTS.defaultExpectedMs
  let sum = 0
  let estimated = false
  for (const phase of state.phases) {
    if (phase.weight <= 0) continue
    if (!isEstimatedPhase(phase)) {
      sum += phase.weight * phaseFraction(phase)
    } else if (creeping) {
      const elapsed = serverNow - (phase.startedAt ?? serverNow)
      sum += phase.weight * estimatedFraction(elapsed, phase.expectedMs ?? fallback, cap)
      estimated = true
    }
  }
  return { progress, target: sum / weight, estimated }
}

/**
 * One step of the displayed value: never backward, exactly 1 on completion, below 1 before it.
 * Callers reset `previous` to 0 only when the run's epoch changes.
 */
export function nextDisplayed(
  previous: number,
  state: RunState,
  reading: ProgressReading,
  options: ProgressOptions = {},
): number {
  if (state.status === 'completed') return 1
  const cap = options.incompleteCap ?? PROGRESS_DEFAULTS.incompleteCap
  return Math.max(previous, Math.min(cap, reading.target))
}
