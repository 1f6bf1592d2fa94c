/** Repetition, summary and formatting helpers shared by every bench section. */

export interface Summary {
  median: number
  min: number
  max: number
  samples: number[]
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = samples.slice().sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, samples: samples.slice() }
}

/** Collects garbage between measurements when node runs with --expose-gc, so one variant's garbage is not billed to the next. */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc) gc()
}

/**
 * A scavenge only: clears the young garbage of the previous sample (nearly all of it) but keeps compiled code.
 * A forced full GC also discards the optimized code of closures whose instances all died, so a sample that
 * builds a fresh store after one pays the JIT again: right for a cold start, wrong for a throughput figure.
 */
export function collectYoung(): void {
  const gc = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc
  if (gc) gc({ type: 'minor' })
}

export const hasGc = (): boolean => typeof (globalThis as { gc?: unknown }).gc === 'function'

/**
 * Runs every variant once per repetition, in a rotating order, so that noise from a shared machine lands on
 * all of them alike. Returns one sample list per variant (whatever each call returns, e.g. frames/s).
 */
export async function sideBySide<K extends string>(
  reps: number,
  variants: Record<K, () => number | Promise<number>>,
  warmup = 1,
  between: () => void = collect,
): Promise<Record<K, Summary>> {
  const names = Object.keys(variants) as K[]
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>
  for (let rep = -warmup; rep < reps; rep++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + Math.max(0, rep)) % names.length]!
      between()
      const value = await variants[name]()
      if (rep >= 0) samples[name].push(value)
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(samples[n])])) as Record<K, Summary>
}

/** Ratio of two sample lists taken pairwise per repetition (same rep, same machine state), then summarized. */
export function ratio(a: Summary, b: Summary): Summary {
  return summarize(a.samples.map((x, i) => x / b.samples[i]!))
}

const group = (n: number, digits: number) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** `1.23 M/s (1.10–1.31)` style cells. */
export function fmt(s: Summary, unit: string, scale = 1, digits = 2): string {
  return `${group(s.median / scale, digits)} ${unit} (${group(s.min / scale, digits)}–${group(s.max / scale, digits)})`
}

export function fmtRatio(s: Summary, digits = 2): string {
  return `**${s.median.toFixed(digits)}×** (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
}

export interface Row {
  measure: string
  value: string
  ratio: string
  target: string
  verdict: string
}

export function table(rows: readonly Row[]): string {
  const lines = [
    '| measure | absolute: median (min–max) | ratio: median (min–max) | target | met |',
    '|---|---|---|---|---|',
  ]
  for (const r of rows) lines.push(`| ${r.measure} | ${r.value} | ${r.ratio} | ${r.target} | ${r.verdict} |`)
  return lines.join('\n')
}

export const verdict = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? 'yes' : '**no**')

/** p50 and p99 of latency samples (ms), nearest rank. */
export function percentiles(samples: readonly number[]): { p50: number; p99: number } {
  const sorted = samples.slice().sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  return { p50: at(0.5), p99: at(0.99) }
}

/** A row with no target: what was measured, and how it compares with the baseline row. */
export const plainRow = (measure: string, value: string, ratio = '1×'): Row => ({
  measure,
  value,
  ratio,
  target: '',
  verdict: '',
})
