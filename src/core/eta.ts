/**
 * Smoothed-rate ETA. The rate is learned from movements: each time the progress has moved and at least
 * `intervalMs` passed since the last movement taken, the rate of that stretch enters an exponentially
 * weighted average. Quiet stretches between a backend's bursts are not read as a falling rate.
 */
export interface EtaOptions {
  /** Minimum time a rate sample spans. */
  intervalMs?: number
  /** Weight of the newest sample in the moving averages. */
  smoothing?: number
  /** Rate samples needed before an ETA is given at all. */
  minSamples?: number
  /** Quiet for this many typical intervals between movements: stalled, no ETA until it moves again. */
  stallIntervals?: number
}

export const ETA_DEFAULTS = { intervalMs: 500, smoothing: 0.3, minSamples: 3, stallIntervals: 3 } as const

export interface EtaEstimator {
  /** Feeds the displayed progress at local time `now` and returns the ETA in ms, or null without enough data. */
  sample(progress: number, now: number): number | null
  reset(): void
}

/**
 * @example
 * const eta = createEtaEstimator()
 * const msLeft = eta.sample(view.displayed, Date.now()) // null until it has seen enough, and while stalled
 */
export function createEtaEstimator(options: EtaOptions = {}): EtaEstimator {
  const intervalMs = options.intervalMs ?? ETA_DEFAULTS.intervalMs
  const smoothing = options.smoothing ?? ETA_DEFAULTS.smoothing
  const minSamples = options.minSamples ?? ETA_DEFAULTS.minSamples
  const stallIntervals = options.stallIntervals ?? ETA_DEFAULTS.stallIntervals
  // The last movement taken (or the first sample): rates are measured from here.
  let anchor: { t: number; p: number } | null = null
  let rate = 0
  let spacing = 0
  let samples = 0
  let eta: number | null = null

  const average = (old: number, next: number) =>
    samples === 0 ? next : smoothing * next + (1 - smoothing) * old

  return {
    sample(progress, now) {
      if (progress >= 1) return 0
      if (anchor === null) {
        anchor = { t: now, p: progress }
        return null
      }
      const dt = now - anchor.t
      if (progress > anchor.p && dt >= intervalMs) {
        rate = average(rate, (progress - anchor.p) / dt)
        spacing = average(spacing, dt)
        samples++
        anchor = { t: now, p: progress }
        eta = samples >= minSamples && rate > 0 ? Math.round((1 - progress) / rate) : null
      } else if (dt > stallIntervals * Math.max(spacing, intervalMs)) {
        // A stalled run has no honest ETA: a decaying rate would count up through "about 3 days".
        eta = null
      }
      return eta
    },
    reset() {
      anchor = null
      rate = 0
      spacing = 0
      samples = 0
      eta = null
    },
  }
}
