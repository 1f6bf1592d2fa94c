import { WebSocket, WebSocketServer } from 'ws'

/** mulberry32: a small seeded PRNG, so a failing seed replays the same decisions. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface ChaosSettings {
  /** Server → client frames held at once; a random one of them goes out when the window overflows. */
  reorderWindow: number
  /** Longest a held frame waits when no more frames come, ms. */
  holdMs: number
  /** Per frame: also send a copy of a random recent frame. */
  duplicateRate: number
  /** Per frame: never send it. */
  dropRate: number
  /** Per frame: kill the connection (both sides) instead of sending it. */
  killRate: number
}

export const CALM: ChaosSettings = { reorderWindow: 0, holdMs: 0, duplicateRate: 0, dropRate: 0, killRate: 0 }

export interface ChaosStats {
  connections: number
  forwarded: number
  dropped: number
  duplicated: number
  reordered: number
  kills: number
  /** Connections stalled (`stall()`): open both ways, nothing more forwarded to the client. */
  stalls: number
  /** Server → client frames a stalled connection swallowed. */
  swallowed: number
  /** Frames sent to clients by `type` (snapshot, heartbeat, …). */
  byType: Record<string, number>
}

export interface ChaosRelay {
  url: string
  port: number
  stats: ChaosStats
  /** Client connections whose both sides are still open. */
  live(): number
  /** Changes the chaos for frames from now on. */
  set(settings: Partial<ChaosSettings>): void
  /** New connections go to this server (a restarted hub); existing ones are left alone. */
  setTarget(url: string): void
  /** Kills every open connection now, without a close handshake. */
  killAll(): void
  /**
   * The connections open now go silent: both sockets stay open (no close, no error) but nothing more reaches the
   * client, as a stuck proxy or a blocked server loop behaves. Later connections are healthy.
   */
  stall(): void
  close(): Promise<void>
}

interface Frame {
  data: Buffer
  binary: boolean
  type: string
}

const RECENT = 16

/**
 * A WebSocket proxy on 127.0.0.1 between a client and a hub that, driven by a seed, reorders server → client
 * frames within a window, duplicates them, drops them and kills the connection at random moments. Client →
 * server frames pass untouched (a kill loses those in flight).
 */
export function startChaosRelay(
  target: string,
  seed: number,
  settings: Partial<ChaosSettings> = {},
): Promise<ChaosRelay> {
  const rng = createRng(seed)
  let chaos: ChaosSettings = { ...CALM, ...settings }
  let upstreamUrl = target
  const stats: ChaosStats = {
    connections: 0,
    forwarded: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    kills: 0,
    stalls: 0,
    swallowed: 0,
    byType: {},
  }
  const pairs = new Set<{ kill(): void; open(): boolean; stall(): void }>()

  return new Promise((resolve) => {
    const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
      const address = wss.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({
        url: `ws://127.0.0.1:${port}`,
        port,
        stats,
        live: () => [...pairs].filter((pair) => pair.open()).length,
        set(next) {
          chaos = { ...chaos, ...next }
        },
        setTarget(url) {
          upstreamUrl = url
        },
        killAll() {
          for (const pair of [...pairs]) pair.kill()
        },
        stall() {
          for (const pair of [...pairs]) pair.stall()
        },
        close: () =>
          new Promise<void>((done) => {
            for (const pair of [...pairs]) pair.kill()
            wss.close(() => done())
          }),
      })
    })

    wss.on('connection', (client: WebSocket) => {
      stats.connections++
      const upstream = new WebSocket(upstreamUrl)
      const early: { data: Buffer; binary: boolean }[] = []
      const window: Frame[] = []
      const recent: Frame[] = []
      let timer: ReturnType<typeof setTimeout> | null = null
      let dead = false
      let stalled = false

      const pair = {
        open: () => !dead && client.readyState === WebSocket.OPEN,
        stall() {
          if (dead || stalled) return
          stalled = true
          stats.stalls++
          if (timer) clearTimeout(timer)
          stats.swallowed += window.length
          window.length = 0
        },
        kill() {
          if (dead) return
          dead = true
          pairs.delete(pair)
          if (timer) clearTimeout(timer)
          window.length = 0
          client.terminate()
          upstream.terminate()
        },
      }
      pairs.add(pair)
      client.on('error', () => {})
      upstream.on('error', () => {})
      client.on('close', () => pair.kill())
      upstream.on('close', () => pair.kill())

      client.on('message', (data: Buffer, binary: boolean) => {
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary })
        else early.push({ data, binary })
      })
      upstream.on('open', () => {
        for (const frame of early.splice(0)) upstream.send(frame.data, { binary: frame.binary })
      })

      const emit = (frame: Frame) => {
        if (dead || client.readyState !== WebSocket.OPEN) return
        stats.forwarded++
        stats.byType[frame.type] = (stats.byType[frame.type] ?? 0) + 1
        client.send(frame.data, { binary: frame.binary })
      }

      const flushWindow = () => {
        timer = null
        while (window.length > 0) emit(window.splice(Math.floor(rng() * window.length), 1)[0]!)
      }

      upstream.on('message', (data: Buffer, binary: boolean) => {
        if (dead) return
        if (stalled) {
          stats.swallowed++
          return
        }
        let type = 'unknown'
        try {
          type = String(JSON.parse(data.toString()).type)
        } catch {}
        const frame: Frame = { data, binary, type }
        if (rng() < chaos.killRate) {
          stats.kills++
          pair.kill()
          return
        }
        recent.push(frame)
        if (recent.length > RECENT) recent.shift()
        const out: Frame[] = []
        if (rng() < chaos.dropRate) stats.dropped++
        else out.push(frame)
        if (rng() < chaos.duplicateRate) {
          stats.duplicated++
          out.push(recent[Math.floor(rng() * recent.length)]!)
        }
        if (chaos.reorderWindow <= 0) {
          flushWindow()
          for (const item of out) emit(item)
          return
        }
        window.push(...out)
        while (window.length > chaos.reorderWindow) {
          const index = Math.floor(rng() * window.length)
          if (index !== 0) stats.reordered++
          emit(window.splice(index, 1)[0]!)
        }
        if (window.length > 0 && timer === null)
          timer = setTimeout(flushWindow, Math.max(1, rng() * chaos.holdMs))
      })
    })
  })
}
