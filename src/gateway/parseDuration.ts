const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * `250ms`, `10s`, `5m`, `24h`, `1d`, or a plain number of ms, to ms. Throws a RangeError naming `flag`.
 * @example
 * parseDuration('10s', '--heartbeat') // 10000
 */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim())
  if (!match) throw new RangeError(`${flag} must be a duration such as 500ms, 10s, 5m or 24h, got "${text}"`)
  return Math.round(Number(match[1]) * UNITS[match[2] ?? 'ms']!)
}
