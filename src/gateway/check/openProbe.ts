import { WebSocket } from 'ws'
import { decodeFrame } from '../../protocol/codec'
import { MAX_FRAME_BYTES, type ServerFrame } from '../../protocol/types'
import type { Findings } from './createFindings'
import { ERROR_CODES } from './rules'

/** One message a probe received: when, and the frame it decoded to (null when it did not). */
export interface Received {
  at: number
  frame: ServerFrame | null
}

export interface ProbeOptions {
  findings: Findings
  /** Names the connection in violations (`resume after 7`). */
  label: string
  now?: () => number
}

/**
 * A checker connection: every message is checked as it arrives (text, at most 64 KiB, decodes, known error
 * codes) and kept in order; `next` waits for the next one matching a test past a cursor.
 * @example
 * const probe = await openProbe(url, { findings, label: 'subscribe' })
 * probe.send({ v: 1, type: 'subscribe', run })
 * const first = await probe.next((f) => f.run === run, 5000)
 */
export async function openProbe(url: string, options: ProbeOptions) {
  const { findings, label } = options
  const now = options.now ?? (() => performance.now())
  const socket = new WebSocket(url, { maxPayload: 16 * 1024 * 1024 })
  const received: Received[] = []
  const waiters = new Set<() => void>()
  let closed: { code: number; reason: string } | null = null
  const wake = () => {
    for (const waiter of [...waiters]) waiter()
  }

  socket.on('message', (data: Buffer, isBinary: boolean) => {
    const at = now()
    findings.check('frame-text')
    findings.check('frame-size')
    findings.check('frame-valid')
    if (isBinary) findings.violate('frame-text', `${label}: the server sent a binary message`)
    if (data.length > MAX_FRAME_BYTES) {
      findings.violate('frame-size', `${label}: a ${data.length}-byte frame (max ${MAX_FRAME_BYTES})`)
    }
    const result = decodeFrame(data.toString('utf8'), Number.MAX_SAFE_INTEGER)
    if (!result.ok) {
      findings.violate('frame-valid', `${label}: ${result.error.code}: ${result.error.detail}`)
      received.push({ at, frame: null })
    } else {
      const frame = result.frame
      if (frame.type === 'error') {
        findings.check('error-codes')
        if (!ERROR_CODES.has(frame.code))
          findings.violate('error-codes', `${label}: unknown error code "${frame.code}"`)
      }
      received.push({ at, frame })
    }
    wake()
  })
  socket.on('close', (code: number, reason: Buffer) => {
    closed = { code, reason: reason.toString() }
    wake()
  })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve())
    socket.once('error', reject)
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`HTTP ${response.statusCode}`)),
    )
  })

  let cursor = 0
  return {
    received,
    get closed() {
      return closed
    },
    send(data: object | string | Buffer) {
      if (socket.readyState !== WebSocket.OPEN) return
      socket.send(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data))
    },
    /** Moves the cursor past everything received so far. */
    skip() {
      cursor = received.length
    },
    /**
     * The next frame past the cursor that `match` accepts, moving the cursor past it; null after `ms` or a close.
     * Frames it passes over stay in `received`.
     */
    next(match: (frame: ServerFrame) => boolean, ms: number): Promise<Received | null> {
      return new Promise((resolve) => {
        const look = () => {
          while (cursor < received.length) {
            const item = received[cursor++]!
            if (item.frame && match(item.frame)) return finish(item)
          }
          if (closed) finish(null)
        }
        const timer = setTimeout(() => finish(null), ms)
        const finish = (item: Received | null) => {
          clearTimeout(timer)
          waiters.delete(look)
          resolve(item)
        }
        waiters.add(look)
        look()
      })
    },
    /** Resolves after `ms`, or earlier when the connection closes. */
    wait(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms)
        function done() {
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        const check = () => closed && done()
        waiters.add(check)
      })
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve()
        const timer = setTimeout(() => {
          socket.terminate()
          resolve()
        }, 1000)
        socket.once('close', () => {
          clearTimeout(timer)
          resolve()
        })
        socket.close()
      })
    },
  }
}

export type Probe = Awaited<ReturnType<typeof openProbe>>
