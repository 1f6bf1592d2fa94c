/**
 * The attacker, alone in its process (its own event loop and heap): runs one attack at a time on the parent's
 * word and answers with what it saw. Every attack is bounded in frames, sockets and time, and talks only to the
 * hub on 127.0.0.1.
 */
import { flap, forbiddenFlood, heldFlood, junkFlood, oversize, replayFlood } from './floodAttacks'
import { serveIpc } from './ipc'
import {
  authTricks,
  idleConnections,
  malformed,
  manyConnections,
  slowReaders,
  sseAttack,
} from './trickAttacks'
import { createTally, type Tally } from './wsAttacker'

export interface AttackOrder {
  name: string
  params: Record<string, number>
  ws: string
  http: string
}

export interface AttackReport {
  tally: Tally
  extra: Record<string, unknown>
}

type Attack = (tally: Tally, order: AttackOrder) => Promise<unknown>

const attacks: Record<string, Attack> = {
  'held-flood': (t, o) => heldFlood(t, o.ws, o.params as never),
  'replay-flood': (t, o) => replayFlood(t, o.ws, o.params as never),
  'junk-flood': (t, o) => junkFlood(t, o.ws, o.params as never),
  'forbidden-flood': (t, o) => forbiddenFlood(t, o.ws, o.params as never),
  flap: (t, o) => flap(t, o.ws, o.params as never),
  oversize: (t, o) => oversize(t, o.ws, o.params as never),
  'slow-readers': (t, o) => slowReaders(t, o.ws, o.params as never),
  malformed: (t, o) => malformed(t, o.ws, o.params as never),
  'auth-tricks': (t, o) => authTricks(t, o.ws, o.http, o.params as never),
  connections: (t, o) => manyConnections(t, o.ws, o.params as never),
  sse: (_t, o) => sseAttack(o.http, o.params as never),
  idle: (t, o) => idleConnections(t, o.ws, o.params as never),
}

serveIpc(
  {
    async attack(args): Promise<AttackReport> {
      const order = args as AttackOrder
      const run = attacks[order.name]
      if (!run) throw new Error(`no attack ${order.name}`)
      const tally = createTally()
      const extra = (await run(tally, order)) ?? {}
      return { tally, extra: extra as Record<string, unknown> }
    },
  },
  { pid: process.pid },
)
