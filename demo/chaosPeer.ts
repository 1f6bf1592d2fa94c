/**
 * A network that misbehaves on purpose, as a wrapper around one connection's hub peer: frames are held back
 * and sent after later ones (reordering within a small window), sent twice, dropped, the connection is
 * killed every N ms, or stalled (open, silent: a stuck proxy). Seeded and browser-safe (no Node APIs), so the demo server and a Storybook story with the
 * in-memory transport share it.
 */

/** What the hub sends through (structurally the server's `HubPeer`). */
export interface ChaosTarget {
  send(text: string): void
  readonly bufferedAmount: number
  close(code: number, reason: string): void
}

export interface ChaosSettings {
  /** Per frame: chance it is held back and sent after 1–`window` later frames (or `holdMs`). */
  reorder: number
  /** Per frame: chance it is sent twice (the copy may come later). */
  duplicate: number
  /** Per frame: chance it is never sent. */
  drop: number
  /** Kill the connection this long after it opened; 0 = never. */
  killEveryMs: number
}

export const CALM: ChaosSettings = { reorder: 0, duplicate: 0, drop: 0, killEveryMs: 0 }

export interface ChaosPeerOptions {
  /** Read on every frame and tick, so settings changed at run time apply at once. */
  settings: () => ChaosSettings
  /** [0, 1); seeded in tests and stories. */
  random: () => number
  /** Largest number of later frames a held frame waits for. Default 4. */
  window?: number
  /** Longest a held frame waits when no later frames come, ms. Default 300. */
  holdMs?: number
  now?: () => number
  setInterval?: (fn: () => void, ms: number) => unknown
  clearInterval?: (handle: unknown) => void
  /** Called once when chaos kills the connection. */
  onKill?: () => void
}

export interface ChaosStats {
  sent: number
  reordered: number
  duplicated: number
  dropped: number
  kills: number
  /** Frames a stalled connection swallowed. */
  swallowed: number
}

export interface ChaosPeer extends ChaosTarget {
  /** Kills the connection now (close code 4000), dropping whatever is held. */
  kill(): void
  /**
   * Stalls the connection: it stays open (no close, no error, pings still answered by the socket) but nothing more
   * reaches the client, as a stuck proxy or a blocked server loop behaves. Only the client's heartbeat timeout
   * (PROTOCOL v1.1 rule 8) can end it.
   */
  stall(): void
  readonly stalled: boolean
  /** Stops the timer and drops held frames; call when the connection closed by itself. Idempotent. */
  dispose(): void
  stats(): Readonly<ChaosStats>
}

const TICK_MS = 100

type Held = { text: string; after: number; since: number }

/**
 * Wraps `target` (e.g. the peer `acceptWebSocket` would build) before it is handed to `hub.connect`.
 * @example
 * const chaos = createChaosPeer(peer, { settings: () => current, random: seededRandom(7) })
 * const connection = hub.connect(chaos)
 */
export function createChaosPeer(target: ChaosTarget, options: ChaosPeerOptions): ChaosPeer {
  const window = Math.max(1, options.window ?? 4)
  const holdMs = options.holdMs ?? 300
  const now = options.now ?? (() => Date.now())
  const setTicker = options.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms))
  const clearTicker =
    options.clearInterval ?? ((handle) => globalThis.clearInterval(handle as ReturnType<typeof setInterval>))
  const { random } = options
  const stats: ChaosStats = { sent: 0, reordered: 0, duplicated: 0, dropped: 0, kills: 0, swallowed: 0 }
  const openedAt = now()
  let held: Held[] = []
  let open = true
  let stalled = false
  let timer: unknown = setTicker(tick, TICK_MS)

  function write(text: string) {
    if (!open) return
    if (stalled) {
      stats.swallowed++
      return
    }
    stats.sent++
    target.send(text)
  }

  // Every frame that goes out counts down the frames held behind it.
  function release(force: boolean) {
    const at = now()
    const due = held.filter((entry) => force || entry.after <= 0 || at - entry.since >= holdMs)
    if (due.length === 0) return
    held = held.filter((entry) => !due.includes(entry))
    for (const entry of due) write(entry.text)
  }

  function hold(text: string) {
    held.push({ text, after: 1 + Math.floor(random() * window), since: now() })
  }

  function tick() {
    if (!open) return
    const { killEveryMs } = options.settings()
    if (killEveryMs > 0 && now() - openedAt >= killEveryMs) return kill()
    release(false)
  }

  function dispose() {
    if (timer === undefined) return
    open = false
    held = []
    clearTicker(timer)
    timer = undefined
  }

  function kill() {
    if (!open) return
    stats.kills++
    dispose()
    try {
      target.close(4000, 'chaos: connection killed')
    } catch {}
    options.onKill?.()
  }

  return {
    send(text) {
      if (!open) return
      const settings = options.settings()
      if (random() < settings.drop) {
        stats.dropped++
        return
      }
      if (random() < settings.duplicate) {
        stats.duplicated++
        hold(text)
      }
      if (random() < settings.reorder) {
        stats.reordered++
        hold(text)
        return
      }
      write(text)
      for (const entry of held) entry.after--
      release(false)
    },
    get bufferedAmount() {
      return target.bufferedAmount
    },
    close(code, reason) {
      // The hub closing (backpressure, shutdown) flushes nothing more: a closing socket loses its queue too.
      dispose()
      target.close(code, reason)
    },
    kill,
    stall() {
      stalled = true
      stats.swallowed += held.length
      held = []
    },
    get stalled() {
      return stalled
    },
    dispose,
    stats: () => ({ ...stats }),
  }
}

/**
 * Parses `reorder=0.1,dup=0.05,drop=0.02,kill=15s` (keys in any order, any subset). Throws a RangeError
 * naming the bad part, for the command line to print.
 */
export function parseChaos(spec: string, base: ChaosSettings = CALM): ChaosSettings {
  const next = { ...base }
  for (const part of spec.split(',').map((item) => item.trim())) {
    if (part === '') continue
    const [key, value = ''] = part.split('=')
    const rate = () => {
      const n = Number(value)
      if (value === '' || !Number.isFinite(n) || n < 0 || n > 1) {
        throw new RangeError(`chaos ${key} must be a rate from 0 to 1, got "${value}"`)
      }
      return n
    }
    if (key === 'reorder') next.reorder = rate()
    else if (key === 'dup' || key === 'duplicate') next.duplicate = rate()
    else if (key === 'drop') next.drop = rate()
    else if (key === 'kill') next.killEveryMs = parseDuration(value)
    else throw new RangeError(`unknown chaos "${key}" (use reorder, dup, drop, kill)`)
  }
  return next
}

/** `15s`, `500ms`, `2m`, or a bare number of seconds; `0`/`off` disables. */
export function parseDuration(text: string): number {
  if (text === 'off') return 0
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (!match) throw new RangeError(`bad duration "${text}" (e.g. 15s, 500ms, 2m)`)
  const scale = match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1000
  return Math.round(Number(match[1]) * scale)
}
