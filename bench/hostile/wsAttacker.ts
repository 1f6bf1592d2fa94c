import { WebSocket } from 'ws'

/** What the attacker saw: close codes, error codes, leaks and traffic, summed over its sockets. */
export interface Tally {
  opened: number
  /** Sockets that could not connect (refused, reset). */
  failed: number
  closes: Record<string, number>
  errors: Record<string, number>
  /** Frames carrying data of a forbidden run: must stay 0. */
  leaked: number
  frames: number
  bytesIn: number
  sent: number
}

export const createTally = (): Tally => ({
  opened: 0,
  failed: 0,
  closes: {},
  errors: {},
  leaked: 0,
  frames: 0,
  bytesIn: 0,
  sent: 0,
})

const count = (map: Record<string, number>, key: string) => {
  map[key] = (map[key] ?? 0) + 1
}

export interface AttackSocket {
  ws: WebSocket
  readonly open: boolean
  /** Resolves with the close code once the socket is closed. */
  closed: Promise<number>
  send(frame: string | object): void
  /** Stops reading at the TCP level: the hub's bytes pile up in the kernel, then in the hub. */
  pause(): void
  resume(): void
  close(): void
}

/** Frames of a forbidden run, or its secret text: what no attacker may ever receive. */
function leaks(text: string): boolean {
  if (text.includes('TOP SECRET')) return true
  const frame = JSON.parse(text) as { type?: string; run?: string }
  return frame.type !== 'error' && typeof frame.run === 'string' && frame.run.startsWith('secret')
}

/** Opens one socket to the hub, tallying everything it receives; resolves null if it cannot connect. */
export function openSocket(
  url: string,
  tally: Tally,
  onFrame?: (frame: { type: string; [key: string]: unknown }) => void,
): Promise<AttackSocket | null> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false })
    let open = false
    const closed = new Promise<number>((done) => {
      ws.on('close', (code) => {
        open = false
        count(tally.closes, String(code))
        done(code)
      })
    })
    ws.on('error', () => {})
    ws.on('message', (data) => {
      const text = String(data)
      tally.frames++
      tally.bytesIn += text.length
      if (leaks(text)) tally.leaked++
      const frame = JSON.parse(text) as { type: string; code?: string }
      if (frame.type === 'error') count(tally.errors, String(frame.code))
      onFrame?.(frame)
    })
    ws.once('unexpected-response', () => {
      tally.failed++
      resolve(null)
    })
    ws.once('open', () => {
      open = true
      tally.opened++
      const tcp = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
      resolve({
        ws,
        get open() {
          return open
        },
        closed,
        send(frame) {
          if (!open) return
          tally.sent++
          ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
        },
        pause: () => tcp.pause(),
        resume: () => tcp.resume(),
        close: () => ws.terminate(),
      })
    })
    ws.once('error', () => {
      if (open) return
      tally.failed++
      resolve(null)
    })
  })
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
/** Lets the socket's writes go out between bursts. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Waits for every socket to close, or until `ms` passed; then cuts the rest. */
export async function closeAll(sockets: (AttackSocket | null)[], ms: number): Promise<void> {
  const live = sockets.filter((s): s is AttackSocket => s !== null)
  await Promise.race([Promise.all(live.map((s) => s.closed)), sleep(ms)])
  for (const s of live) s.close()
  await Promise.race([Promise.all(live.map((s) => s.closed)), sleep(2000)])
}
