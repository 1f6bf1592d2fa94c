import type { RunView } from '../core/RunView'
import { isTerminal } from '../core/runDraft'

/** Locale-aware number, percent and duration formatting; every number a component shows goes through one. */
export interface ProgressFormat {
  locale: string | undefined
  number(value: number): string
  /** 0–1 → "42%". */
  percent(fraction: number): string
  /** Milliseconds → "12 sec", "3 min", "1.5 hr" (Intl unit style, short). */
  duration(ms: number): string
}

const cache = new Map<string, ProgressFormat>()

/** "about 5.5 sec left" claims a precision nobody has: below a minute, whole 5 s steps (never below 5 s). */
const roundEta = (ms: number) => (ms < 60_000 ? Math.max(5_000, Math.ceil(ms / 5_000) * 5_000) : ms)

/**
 * "about 20 sec left" while a run that is not over has an estimate, else undefined: the bar's value text and the
 * visible value say the same.
 * @example
 * etaText(run, labels.eta, format) // "about 20 sec left"
 */
export function etaText(
  run: Pick<RunView, 'status' | 'etaMs'>,
  eta: (left: string) => string,
  format: ProgressFormat,
): string | undefined {
  return run.etaMs === null || isTerminal(run.status) ? undefined : eta(format.duration(roundEta(run.etaMs)))
}

/**
 * Formatters for a locale, cached: Intl objects are costly to build and every render asks.
 * @example
 * createFormat('de').duration(90_000) // "2 Min."
 */
export function createFormat(locale?: string): ProgressFormat {
  const key = locale ?? ''
  const found = cache.get(key)
  if (found) return found
  try {
    new Intl.NumberFormat(locale)
  } catch {
    // A malformed locale tag from a prop must not crash the host app: the runtime default instead.
    // Development builds only (where no bundler defines NODE_ENV, `process` is missing and the message too).
    try {
      if (process.env.NODE_ENV !== 'production') {
        console.error(`live-progress: invalid locale ${JSON.stringify(locale)}, using the default.`)
      }
    } catch {}
    // Cached under the bad tag too: every render asks again, and must not log (or throw and catch) again.
    const fallback = createFormat()
    cache.set(key, fallback)
    return fallback
  }
  const number = new Intl.NumberFormat(locale)
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 })
  const units = new Map<string, Intl.NumberFormat>()
  const unit = (name: string, digits: number) => {
    const id = name + digits
    let nf = units.get(id)
    if (!nf) {
      nf = new Intl.NumberFormat(locale, {
        style: 'unit',
        unit: name,
        unitDisplay: 'short',
        maximumFractionDigits: digits,
      })
      units.set(id, nf)
    }
    return nf
  }
  const format: ProgressFormat = {
    locale,
    number: (value) => number.format(value),
    percent: (fraction) => percent.format(fraction),
    duration(ms) {
      const s = Math.max(0, ms) / 1000
      if (s < 60) return unit('second', s < 10 ? 1 : 0).format(s < 10 ? s : Math.round(s))
      if (s < 3600) return unit('minute', 0).format(Math.round(s / 60))
      return unit('hour', 1).format(s / 3600)
    },
  }
  cache.set(key, format)
  return format
}
