import type { AttackOrder, AttackReport } from './attackerProcess'
import { buildHostile } from './buildHostile'
import type { GoodReport } from './goodClient'
import type { HubStats } from './hubProcess'
import { type ChildHandle, startChild } from './ipc'
import type { HubMemory } from './measureHubMemory'
import type { Stall } from './stallWatch'

export type Scale = 'full' | 'test'

export interface AttackSpec {
  name: string
  /** What the attacker does, for the bench table. */
  title: string
  params: Record<Scale, Record<string, number>>
}

/** Every attack of issue 13, at full scale (the bench) and scaled down (`npm test`: a few seconds each). */
export const ATTACKS: AttackSpec[] = [
  {
    name: 'held-flood',
    title: 'subscribes to distinct allowed ids nobody publishes (held runs), 192 sockets reconnecting',
    params: { full: { subscribes: 100_000, connections: 192 }, test: { subscribes: 6_000, connections: 24 } },
  },
  {
    name: 'replay-flood',
    title: 'pipelined subscribe from seq 0 on a 10,000-event run it follows, reading everything',
    params: { full: { connections: 192, frames: 1000 }, test: { connections: 8, frames: 300 } },
  },
  {
    name: 'junk-flood',
    title: '~2 MB of 20-byte junk frames per socket slot',
    params: { full: { connections: 32, bytes: 2_000_000 }, test: { connections: 4, bytes: 100_000 } },
  },
  {
    name: 'forbidden-flood',
    title: 'subscribes to forbidden ids',
    params: { full: { connections: 32, frames: 100_000 }, test: { connections: 4, frames: 5_000 } },
  },
  {
    name: 'flap',
    title: 'subscribe/unsubscribe of distinct ids, alternately',
    params: { full: { connections: 32, frames: 200_000 }, test: { connections: 4, frames: 10_000 } },
  },
  {
    name: 'oversize',
    title: 'one huge frame per client',
    params: { full: { clients: 5, bytes: 99_000_000 }, test: { clients: 2, bytes: 2_000_000 } },
  },
  {
    name: 'slow-readers',
    title: 'stop reading, ask for ~64 KiB snapshots of 40 runs again and again',
    params: { full: { connections: 20, fatRuns: 40 }, test: { connections: 3, fatRuns: 40 } },
  },
  {
    name: 'malformed',
    title: 'malformed, binary and prototype-polluting frames, then a valid subscribe',
    params: { full: { connections: 500 }, test: { connections: 20 } },
  },
  {
    name: 'auth-tricks',
    title: 'look-alike ids, resync after forbidden, SSE resumes of a forbidden run',
    params: { full: { rounds: 20 }, test: { rounds: 2 } },
  },
  {
    name: 'connections',
    title: 'concurrent connections, each following a run',
    params: { full: { count: 2000 }, test: { count: 200 } },
  },
  {
    name: 'sse',
    title: 'unreadable SSE requests; SSE readers of a 2 MB/s run that never read',
    params: { full: { readers: 20, holdMs: 20_000 }, test: { readers: 3, holdMs: 3_000 } },
  },
  {
    name: 'publishers',
    title: 'concurrent publishers on one run (in the hub process)',
    params: { full: { tasks: 100, events: 500 }, test: { tasks: 10, events: 50 } },
  },
]

export interface HostileRow {
  attack: string
  title: string
  /** The hub process was still running at the end. */
  alive: boolean
  /** Good client: events received over events published in the window (1 = all). */
  delivered: number
  expected: number
  gaps: number
  duplicates: number
  reconnects: number
  p99Ms: number
  maxLatencyMs: number
  peakHeapMB: number
  loopDelayMaxMs: number
  /** The longest stall of the hub's event loop, and the CPU time the hub process spent during it. */
  longestStall: Stall
  /** Hub counters gained during the window, and its gauges at the end. */
  hub: Record<string, number>
  polluted: boolean
  report: AttackReport | null
  extra: Record<string, unknown>
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)))
/** Ten ticks of the good client's 20 events/s publisher. */
const MIN_WINDOW_MS = 500

/**
 * Starts the hub, the good client and the attacker, each in its own process, and runs attacks one after
 * another against the same hub; each row covers one attack's window.
 * @example
 * const session = await startHostile()
 * const row = await session.run('junk-flood', 'test')
 * await session.close()
 */
export async function startHostile() {
  const bundles = await buildHostile()
  const profileDir = process.env.HOSTILE_HUB_PROFILE
  const hub = await startChild<{ port: number; barePort: number; fatRuns: number }>(bundles.hub, {
    // HOSTILE_HUB_PROFILE=<dir>: the hub writes a CPU profile there when it stops (to see where a stall went).
    execArgv: ['--expose-gc', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    timeoutMs: 60_000,
  })
  const ws = `ws://127.0.0.1:${hub.ready.port}/progress`
  // A bare `ws` server in the hub's process (no hub): what Node and `ws` alone cost under attacks on connections.
  const bareWs = `ws://127.0.0.1:${hub.ready.barePort}/`
  const http = `http://127.0.0.1:${hub.ready.port}`
  let good: ChildHandle<unknown> | undefined
  let attacker: ChildHandle<unknown> | undefined
  try {
    good = await startChild(bundles.good, { args: [ws] })
    attacker = await startChild(bundles.attacker)
  } catch (error) {
    await Promise.all([hub.stop(), good?.stop()])
    throw error
  }
  const goodClient = good
  const attackerProcess = attacker

  const stats = () => hub.call<HubStats>('stats', undefined, 30_000)

  /**
   * Waits (bounded) until the good client has every event the hub issued so far; returns the stats of that
   * moment (the ticker goes on meanwhile: a later head would count events still on their way).
   */
  async function caughtUp(): Promise<HubStats> {
    const now = await stats()
    for (let i = 0; i < 100; i++) {
      const peek = await goodClient.call<GoodReport>('peek')
      if (peek.lastSeq >= now.goodHead) break
      await sleep(50)
    }
    return now
  }

  async function window(
    attack: string,
    title: string,
    act: () => Promise<Partial<HostileRow>>,
  ): Promise<HostileRow> {
    const before = await caughtUp()
    await goodClient.call<GoodReport>('report')
    await hub.call('reset')
    let report: Partial<HostileRow> = {}
    let failure: unknown = null
    const startedAt = Date.now()
    try {
      report = await act()
      // A window lasts long enough for the ticker's events to be due in it (else there is nothing to deliver).
      await sleep(MIN_WINDOW_MS - (Date.now() - startedAt))
    } catch (error) {
      failure = error
    }
    const alive = hub.alive
    const after = alive ? await caughtUp() : before
    const seen = await goodClient.call<GoodReport>('report')
    const expected = Math.max(1, after.goodHead - before.goodHead)
    const gained: Record<string, number> = {}
    for (const [key, value] of Object.entries(after.metrics)) gained[key] = value - (before.metrics[key] ?? 0)
    for (const key of ['connections', 'runs', 'held', 'forgotten', 'replaying'])
      gained[key] = after.metrics[key]!
    if (failure) throw failure
    return {
      attack,
      title,
      alive,
      // By seq, not by count: events that arrived between the two reads are neither lost nor counted twice.
      delivered: Math.min(1, Math.max(0, seen.lastSeq - before.goodHead) / expected),
      expected,
      gaps: seen.gaps,
      duplicates: seen.duplicates,
      reconnects: seen.reconnects,
      p99Ms: seen.p99Ms,
      maxLatencyMs: seen.maxMs,
      peakHeapMB: after.peakHeapMB,
      loopDelayMaxMs: after.loopDelayMaxMs,
      longestStall: after.longestStall,
      hub: gained,
      polluted: after.polluted,
      report: null,
      extra: {},
      ...report,
    }
  }

  return {
    ws,
    http,
    /** The good client alone for `ms`: the baseline row. */
    baseline: (ms: number) => window('baseline', 'no attack', () => sleep(ms).then(() => ({}))),
    /** One attack; with `bare`, a WebSocket attack aims at the bare `ws` server instead of the hub. */
    run(name: string, scale: Scale, target: { bare?: boolean } = {}): Promise<HostileRow> {
      const spec = ATTACKS.find((a) => a.name === name)
      if (!spec) throw new Error(`no attack ${name}`)
      const params = spec.params[scale]
      const row = target.bare ? `${name} (bare ws)` : name
      const title = target.bare
        ? `${spec.title}, against a bare \`ws\` server in the hub's process (no hub, \`ws\` ending each hang-up where it reads it)`
        : spec.title
      return window(row, title, async () => {
        if (name === 'publishers') return { extra: await hub.call('publishers', params) }
        if (name === 'sse') return sse(params)
        const order: AttackOrder = { name, params, ws: target.bare ? bareWs : ws, http }
        const report = await attackerProcess.call<AttackReport>('attack', order, 180_000)
        return { report, extra: report.extra }
      })
    },
    memory: (count: number) => hub.call<HubMemory>('memory', { count }, 120_000),
    /** Heap bytes one idle WebSocket connection costs the hub process (`ws`, Node and the hub), over `count`. */
    async socketMemory(count: number): Promise<number> {
      const before = await hub.call<number>('heap')
      const base = (await stats()).metrics.connections!
      const order: AttackOrder = { name: 'idle', params: { count, holdMs: 3_000 }, ws, http }
      const attack = attackerProcess.call<AttackReport>('attack', order, 60_000)
      for (let i = 0; i < 200 && (await stats()).metrics.connections! < base + count; i++) await sleep(50)
      const during = await hub.call<number>('heap')
      await attack
      return (during - before) / count
    },
    async close() {
      await goodClient.call('stop').catch(() => {})
      await Promise.all([attackerProcess.stop(), goodClient.stop(), hub.stop()])
    },
  }

  /** SSE readers that never read: the hub's side is watched while the attacker holds them. */
  async function sse(params: Record<string, number>): Promise<Partial<HostileRow>> {
    const baseSockets = (await stats()).openSockets
    await hub.call('noise', true)
    const order: AttackOrder = { name: 'sse', params, ws, http }
    const attack = attackerProcess.call<AttackReport>('attack', order, 60_000)
    let cutAt: number | null = null
    const started = Date.now()
    let peak = 0
    for (let done = false; !done; ) {
      done = await Promise.race([attack.then(() => true), sleep(100).then(() => false)])
      const now = await stats()
      peak = Math.max(peak, now.openSockets - baseSockets)
      if (cutAt === null && peak >= params.readers! && now.openSockets <= baseSockets)
        cutAt = Date.now() - started
    }
    await hub.call('noise', false)
    const report = await attack
    return { report, extra: { ...report.extra, readersCutAfterMs: cutAt } }
  }
}
