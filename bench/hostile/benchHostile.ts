/**
 * `npm run bench` section "hostile": every attack of issue 13 at full scale (scaled down with --quick) against a
 * hub in its own process, beside a no-attack baseline; per attack the good client's delivered ratio and latency,
 * the hub's peak heap and longest event-loop delay, and what the hub did. Then what each thing costs a hub in
 * memory.
 */
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { HubMemory } from './measureHubMemory'
import { ATTACKS, type HostileRow, type Scale, startHostile } from './runHostile'
import { describeStall } from './stallWatch'

export const HOSTILE_TARGETS = { p99Ms: 250, heapMB: 256, loopDelayMs: 100 } as const
/** Attacks on connections themselves, run again against a bare `ws` server: what Node and `ws` cost anyway. */
const FLOORED_ATTACKS = ['connections']

const fixed = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

/** What the hub did during the window, from its counters, in a few words. */
function outcome(row: HostileRow): string {
  const h = row.hub
  const parts: string[] = []
  const closes = row.report?.tally.closes ?? {}
  for (const code of ['1008', '1009', '1013']) if (closes[code]) parts.push(`${closes[code]} closed ${code}`)
  if (h.backpressureCloses && !closes['1013']) parts.push(`${h.backpressureCloses} closed 1013`)
  if (h.heldRefused)
    parts.push(`${fixed(h.heldRefused)} held refused (${fixed(h.held ?? 0)} held at the end)`)
  if (h.coalesced) parts.push(`${fixed(h.coalesced)} coalesced`)
  if (h.snapshotsSent) parts.push(`${fixed(h.snapshotsSent)} snapshots`)
  if (h.replayedEvents) parts.push(`${fixed(h.replayedEvents)} events replayed`)
  if (h.rateLimited) parts.push(`${fixed(h.rateLimited)} rate limited`)
  if (h.badFrames) parts.push(`${fixed(h.badFrames)} bad frames`)
  if (h.forbidden) parts.push(`${fixed(h.forbidden)} forbidden`)
  if (row.report?.tally.leaked) parts.push(`**${row.report.tally.leaked} frames leaked**`)
  if (row.report?.tally.sent) parts.push(`${fixed(row.report.tally.sent)} frames sent`)
  for (const [key, value] of Object.entries(row.extra)) {
    parts.push(`${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
  }
  return parts.join(', ')
}

function line(row: HostileRow): string {
  const met =
    row.alive &&
    row.delivered === 1 &&
    row.gaps + row.duplicates + row.reconnects === 0 &&
    row.p99Ms < HOSTILE_TARGETS.p99Ms &&
    row.peakHeapMB < HOSTILE_TARGETS.heapMB &&
    row.loopDelayMaxMs < HOSTILE_TARGETS.loopDelayMs
  const delivered = `${fixed(row.delivered * 100, 1)}% of ${fixed(row.expected)}${row.reconnects ? `, ${row.reconnects} reconnects` : ''}`
  return `| ${row.attack}: ${row.title} | ${row.alive ? 'yes' : '**no**'} | ${delivered} | ${fixed(row.p99Ms)} ms (max ${fixed(row.maxLatencyMs)}) | ${fixed(row.peakHeapMB, 1)} MB | ${fixed(row.loopDelayMaxMs)} ms | ${describeStall(row.longestStall)} | ${met ? 'yes' : '**no**'} | ${outcome(row)} |`
}

const TABLE_HEAD = [
  `| attack | hub up | good client: delivered | p99 latency | hub peak heap | max event-loop delay | longest stall: where it went | targets met (100%, < ${HOSTILE_TARGETS.p99Ms} ms, < ${HOSTILE_TARGETS.heapMB} MB, < ${HOSTILE_TARGETS.loopDelayMs} ms) | what the hub did |`,
  '|---|---|---|---|---|---|---|---|---|',
]

const kb = (bytes: number) => `${fixed(bytes / 1024, 2)} KB`

export async function benchHostile(
  options: { quick?: boolean } = {},
): Promise<{ markdown: string; rows: HostileRow[] }> {
  const scale: Scale = options.quick ? 'test' : 'full'
  const session = await startHostile()
  const rows: HostileRow[] = []
  let memory: HubMemory & { perSocket: number }
  try {
    rows.push(await session.baseline(options.quick ? 1_000 : 5_000))
    for (const attack of ATTACKS) {
      process.stderr.write(` ${attack.name}`)
      rows.push(await session.run(attack.name, scale))
      if (FLOORED_ATTACKS.includes(attack.name))
        rows.push(await session.run(attack.name, scale, { bare: true }))
    }
    memory = {
      ...(await session.memory(options.quick ? 2_000 : 10_000)),
      perSocket: await session.socketMemory(1000),
    }
  } finally {
    await session.close()
  }
  const load = loadavg().map((value) => value.toFixed(1))
  const markdown = [
    `### Hostile clients (${scale === 'full' ? 'full scale' : 'scaled down: --quick'})`,
    '',
    `Run ${new Date().toISOString().slice(0, 10)}, load average at the end ${load.join(', ')} (latency and event-loop delay include waiting for a CPU on a shared machine: compare each row with the baseline).`,
    '',
    'The hub alone in a Node process (default limits, an `authorize` hook, 127.0.0.1), a publisher ticking 20 events/s, a good client in another process and the attacker in a third. Latency: from the time each event was due to its arrival at the good client (so a stalled hub shows). Heap: peak `heapUsed` of the hub process during the attack (sampled every 20 ms, after a GC at its start). Event-loop delay: the longest seen by `perf_hooks.monitorEventLoopDelay` (10 ms resolution). Longest stall: the longest gap between two turns of a 10 ms timer in the hub, with the CPU time its main thread spent in it (from /proc, 10 ms resolution) and the whole process (GC and other threads too), the GC pauses in it, and the connections open at its end; a stall much longer than its CPU time was spent waiting for a CPU.',
    '',
    ...TABLE_HEAD,
    ...rows.map(line),
    '',
    'Memory per thing, measured in the hub process (bundled JavaScript, GC before and after):',
    '',
    '| thing | heap |',
    '|---|---|',
    `| a WebSocket connection (real socket on loopback: hub, \`ws\` and Node) | ${kb(memory.perSocket)} |`,
    `| a connection's hub state alone (in-memory peer) | ${kb(memory.perConnection)} |`,
    `| a held id (subscribed, nobody publishes it yet) | ${kb(memory.perHeldId)} |`,
    `| a run with its first event (3 phases, no subscriber) | ${kb(memory.perRun)} |`,
    `| a logged event (\`phase_progress\` with a short label) | ${kb(memory.perEvent)} |`,
  ].join('\n')
  // Kept on its own too, so a run of this section alone (--only=hostile) leaves a record.
  writeFileSync(join(fileURLToPath(new URL('..', import.meta.url)), 'HOSTILE.md'), `${markdown}\n`)
  return { markdown, rows }
}
