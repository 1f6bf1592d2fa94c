import { parseArgs } from 'node:util'
import { parseDuration } from '../parseDuration'
import { type CheckReport, checkBackend } from './checkBackend'

export const CHECK_USAGE = `Usage: live-progress check <url> --run <id> [options]

Checks a backend that implements the live-progress protocol itself against the protocol's server rules,
over WebSocket, on one run that has events: subscribe, resumes from several points, a stale epoch, a resync
past the head, bad frames, heartbeat cadence and head, an empty run, unsubscribe. Every snapshot is compared
with the log replayed through the kit's own reducer. Exits 0 when no rule is broken, 1 otherwise.

  <url>              the WebSocket endpoint, e.g. ws://127.0.0.1:8080/v1/live (add ?token= if it needs one)
  --run <id>         a run with events (a finished one is fine)
  --json             print the report as JSON
  --timeout <t>      how long to wait for any one answer (default 5s)
  --heartbeats <n>   heartbeat periods to watch (default 3)
  --help             this text
`

/** Formats a report for people: each violation with the rule it breaks, then notes and a verdict. */
export function formatReport(report: CheckReport): string {
  const lines = [`live-progress check ${report.url} --run ${report.run}`]
  for (const violation of report.violations) {
    const times = violation.count > 1 ? ` (×${violation.count})` : ''
    lines.push(`  ✗ [${violation.rule}] ${violation.message}${times}`, `      rule: ${violation.statement}`)
  }
  for (const note of report.notes) lines.push(`  · ${note}`)
  lines.push(
    report.ok
      ? `  ✓ conforms: ${report.passed.length} rules checked, none broken`
      : `  ${report.violations.length} violation(s) of ${new Set(report.violations.map((v) => v.rule)).size} rule(s); ${report.passed.length} rules passed`,
  )
  return lines.join('\n')
}

/** `live-progress check`: resolves with the exit code (0 conforms, 1 violations, 2 usage). */
export async function checkCommand(io: {
  argv: readonly string[]
  out: (line: string) => void
  err: (line: string) => void
}): Promise<number> {
  let values: { run?: string; json?: boolean; timeout?: string; heartbeats?: string; help?: boolean }
  let positionals: string[]
  try {
    ;({ values, positionals } = parseArgs({
      args: [...io.argv],
      options: {
        run: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        heartbeats: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }))
  } catch (error) {
    io.err(`live-progress check: ${(error as Error).message}\n\n${CHECK_USAGE}`)
    return 2
  }
  if (values.help) {
    io.out(CHECK_USAGE)
    return 0
  }
  const url = positionals[0]
  if (!url || !/^wss?:\/\//.test(url) || !values.run) {
    io.err(`live-progress check: a ws:// or wss:// URL and --run <id> are needed\n\n${CHECK_USAGE}`)
    return 2
  }
  let timeoutMs: number
  let heartbeats: number
  try {
    timeoutMs = parseDuration(values.timeout ?? '5s', '--timeout')
    heartbeats = Math.max(2, Math.round(Number(values.heartbeats ?? 3)) || 3)
  } catch (error) {
    io.err(`live-progress check: ${(error as Error).message}`)
    return 2
  }
  const report = await checkBackend(url, values.run, { timeoutMs, heartbeats })
  io.out(values.json ? JSON.stringify(report, null, 2) : formatReport(report))
  return report.ok ? 0 : 1
}
