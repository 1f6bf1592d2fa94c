import { WebSocket } from 'ws'
import { type AttackSocket, closeAll, openSocket, sleep, type Tally, tick } from './wsAttacker'

export interface FloodOptions {
  url: string
  /** Sockets sending at once; each reconnects when the hub closes it, until the quota is sent. */
  connections: number
  /** Frames to send in all. */
  frames: number
  /** The i-th frame of the flood. */
  frame: (i: number) => string
  /** Frames per burst on one socket, before letting the event loop turn. */
  burst?: number
  /** How long sockets still open are kept after the last frame (held subscriptions stay held), ms. */
  holdMs?: number
  deadlineMs: number
}

/**
 * Many sockets pipelining frames from one shared quota. A socket the hub closes (1008) is replaced at once by a
 * new one, so the hub keeps paying for connections as an attacker would make it.
 */
export async function flood(tally: Tally, options: FloodOptions): Promise<void> {
  const deadline = Date.now() + options.deadlineMs
  const burst = options.burst ?? 200
  const open: AttackSocket[] = []
  let next = 0
  async function worker() {
    while (next < options.frames && Date.now() < deadline) {
      const socket = await openSocket(options.url, tally)
      if (!socket) {
        await sleep(20)
        continue
      }
      open.push(socket)
      while (next < options.frames && Date.now() < deadline && socket.ws.readyState === WebSocket.OPEN) {
        for (let i = 0; i < burst && next < options.frames; i++) socket.send(options.frame(next++))
        await tick()
      }
      // Closed by the hub (its close frame arrived): do not wait for the closing handshake.
      if (socket.ws.readyState !== WebSocket.OPEN) socket.close()
    }
  }
  await Promise.all(Array.from({ length: options.connections }, worker))
  await sleep(options.holdMs ?? 0)
  await closeAll(open, 0)
}

export const subscribe = (run: string, extra: object = {}) =>
  JSON.stringify({ v: 1, type: 'subscribe', run, ...extra })

/** 100,000 subscribes to distinct allowed ids nobody publishes: each would be a held run. */
export function heldFlood(tally: Tally, url: string, p: { subscribes: number; connections: number }) {
  return flood(tally, {
    url,
    connections: p.connections,
    frames: p.subscribes,
    frame: (i) => subscribe(`held-${i}`),
    holdMs: 1000,
    deadlineMs: 60_000,
  })
}

/** Junk: short frames that are not JSON, ~2 MB per socket slot. */
export function junkFlood(tally: Tally, url: string, p: { connections: number; bytes: number }) {
  const frame = (i: number) => `junk frame ${i % 1_000_000}`.padEnd(20, '!')
  return flood(tally, {
    url,
    connections: p.connections,
    frames: Math.floor((p.bytes * p.connections) / 20),
    frame,
    burst: 1000,
    deadlineMs: 60_000,
  })
}

/** Subscribes to ids the hub forbids, as fast as the socket takes them. */
export function forbiddenFlood(tally: Tally, url: string, p: { connections: number; frames: number }) {
  return flood(tally, {
    url,
    connections: p.connections,
    frames: p.frames,
    frame: (i) => subscribe(`secret-${i % 50}`),
    deadlineMs: 60_000,
  })
}

/** Subscribe and unsubscribe distinct ids, alternately: each subscribe would make a held run and drop it. */
export function flap(tally: Tally, url: string, p: { connections: number; frames: number }) {
  return flood(tally, {
    url,
    connections: p.connections,
    frames: p.frames,
    frame: (i) =>
      i % 2 === 0
        ? subscribe(`flap-${i >> 1}`)
        : JSON.stringify({ v: 1, type: 'unsubscribe', run: `flap-${i >> 1}` }),
    deadlineMs: 60_000,
  })
}

/**
 * The replay bomb: follow `big` (10,000 events logged), then pipeline `frames` subscribes from seq 0 (and from
 * distinct positions), reading everything the hub answers.
 */
export async function replayFlood(tally: Tally, url: string, p: { connections: number; frames: number }) {
  const sockets = await Promise.all(
    Array.from({ length: p.connections }, async () => {
      let epoch = ''
      const socket = await openSocket(url, tally, (frame) => {
        if (frame.type === 'snapshot' && typeof frame.epoch === 'string') epoch = frame.epoch
      })
      if (!socket) return null
      socket.send(subscribe('big'))
      for (let i = 0; i < 100 && epoch === ''; i++) await sleep(10)
      for (let i = 0; i < p.frames; i++) socket.send(subscribe('big', { epoch, after: i % 2 === 0 ? 0 : i }))
      return socket
    }),
  )
  // Read what comes back until it stops coming (or the hub closed the socket).
  let last = -1
  for (let i = 0; i < 100 && last !== tally.bytesIn; i++) {
    last = tally.bytesIn
    await sleep(200)
  }
  await closeAll(sockets, 0)
}

/** Five clients each send one message of `bytes` (ws's default would buffer up to 100 MiB of each). */
export async function oversize(tally: Tally, url: string, p: { clients: number; bytes: number }) {
  const payload = Buffer.alloc(p.bytes, 'x')
  const sockets = await Promise.all(Array.from({ length: p.clients }, () => openSocket(url, tally)))
  for (const socket of sockets) socket?.ws.send(payload, { binary: false }, () => {})
  await closeAll(sockets, 20_000)
}
