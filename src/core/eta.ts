/** Smoothed-rate ETA: an exponentially weighted rate of progress per ms, sampled at most every `intervalMs`. */
export interface EtaOptions {
  /** Minimum time between two rate samples. */
  intervalMs?: number
  /** Weight of the newest sample in the moving average. */
  smoothing?: number
  /** Samples needed before an ETA is given at all. */
  minSamples?: number
}

export const ETA_DEFAULTS = { intervalMs: 500, smoothing: 0.3, minSamples: 3 } as const

export interface EtaEstimator {
  /** Feeds the displayed progress at local time `now` and returns the ETA in ms, or null without enough data. */
  sample(progress: number, now: number): number | null
  reset(): void
}

export function createEtaEstimator(options: EtaOptions = {}): EtaEstimator {
  const intervalMs = options.intervalMs ?? ETA_DEFAULTS.intervalMs
  const smoothing = options.smoothing ?? ETA_DEFAULTS.smoothing
  const minSamples = options.minSamples ?? ETA_DEFAULTS.minSamples
  let last: { t: number; p: number } | null = null
  let rate = 0
  let samples = 0
  let eta: number | null = null

  return {
    sample(progress, now) {
      if (progress >= 1) {
        eta = 0
        return eta
      }
      if (last === null) {
        last = { t: now, p: progress }
        return null
      }
      const dt = now - last.t
      if (dt < intervalMs) return eta
      const instant = Math.max(0, progress - last.p) / dt
      rate = samples === 0 ? instant : smoothing * instant + (1 - smoothing) * rate
      samples++
      last = { t: now, p: progress }
      // A stalled run has no honest ETA: say nothing rather than "about 3 days".
      eta = samples >= minSamples && rate > 1e-9 ? Math.round((1 - progress) / rate) : null
      return eta
    },
    reset() {
      last = null
      rate = 0
      samples = 0
      eta = null
    },
  }
}
