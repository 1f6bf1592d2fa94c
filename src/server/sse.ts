import { utf8Length } from '../protocol/codec'
import type { HubConnection } from './createConnection'
import type { ProgressHub } from './createProgressHub'

export interface SseOptions {
  /** `retry:` hint for EventSource's own reconnects, ms. */
  retryMs?: number
  /** A comment line this often keeps proxies from closing an idle stream, ms (0: never). */
  keepAliveMs?: number
  /** Extra response headers (CORS, for example). */
  headers?: Record<string, string>
  /** A stream the hub ends for its reader (too slow, stalled) has its connection destroyed this long after, ms. */
  closeGraceMs?: number
  setInterval?: (fn: () => void, ms: number) => unknown
  clearInterval?: (handle: unknown) => void
  setTimeout?: (fn: () => void, ms: number) => unknown
}

/** What the handler reads of a request: Node's `IncomingMessage` fits, as do look-alikes. */
export interface SseHttpRequest {
  method?: string | undefined
  url?: string | undefined
  headers: Record<string, string | string[] | undefined>
}

/** What the handler needs of a response: Node's `ServerResponse` fits (no Node import keeps the hub isomorphic). */
export interface SseHttpResponse {
  writeHead(status: number, headers?: Record<string, string>): unknown
  /** False when the stream wants a 'drain' before more (Node's); anything else counts as true. */
  write(chunk: string): unknown
  end(body?: string): unknown
  readonly writableLength: number
  on(event: 'close' | 'error' | 'drain', listener: () => void): unknown
  /** Ends the connection at once (Node's `ServerResponse.destroy`): a peer that stopped reading never drains. */
  destroy?(): unknown
  /**
   * The connection under the response (Node's `ServerResponse.socket`): an ended response lets go of it while
   * the bytes it queued may still wait there for a reader that stopped.
   */
  readonly socket?: { destroy(): unknown } | null
}

export const SSE_DEFAULTS = { retryMs: 2000, keepAliveMs: 15_000, closeGraceMs: 1_000 } as const

/** What an SSE request asks for: the run, and where to resume (`Last-Event-ID` wins over `after`). */
export interface SseRequest {
  run: string
  epoch?: string
  after?: number
}

const count = (value: string | null | undefined): number | undefined =>
  value !== null && value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined

function parseUrl(text: unknown): URL | null {
  if (typeof text !== 'string') return null
  try {
    return new URL(text, 'http://localhost')
  } catch {
    return null
  }
}

/**
 * Reads `?run=&epoch=&after=` and the `Last-Event-ID` header (or a `lastEventId` query parameter, for
 * polyfills that cannot set headers). Returns null for a request target it cannot read or without a usable run id.
 */
export function readSseRequest(request: SseHttpRequest): SseRequest | null {
  const url = parseUrl(request.url ?? '/')
  if (url === null) return null
  const run = url.searchParams.get('run')
  if (run === null || run.length < 1 || run.length > 128) return null
  const header = request.headers['last-event-id']
  const lastEventId =
    count(Array.isArray(header) ? header[0] : header) ?? count(url.searchParams.get('lastEventId'))
  const after = lastEventId ?? count(url.searchParams.get('after'))
  const epoch = url.searchParams.get('epoch') ?? undefined
  const out: SseRequest = { run }
  if (epoch !== undefined && epoch.length >= 1 && epoch.length <= 64) out.epoch = epoch
  if (after !== undefined) out.after = after
  return out
}

// One frame as an SSE event. JSON text never holds a raw newline, so `data:` is always one line. The hub's
// `error` frames are named `protocol_error`: an event named `error` would look like a failed connection to
// EventSource.
function toEvent(text: string): string {
  let type = 'message'
  let seq: number | undefined
  try {
    const frame = JSON.parse(text) as { type?: unknown; seq?: unknown }
    if (typeof frame.type === 'string') type = frame.type === 'error' ? 'protocol_error' : frame.type
    if (typeof frame.seq === 'number') seq = frame.seq
  } catch {
    // The hub only sends JSON; anything else still goes out, unnamed.
  }
  return `${seq === undefined ? '' : `id: ${seq}\n`}event: ${type}\ndata: ${text}\n\n`
}

/**
 * Serves one run to one EventSource through the hub's `connect(peer)` seam: the same subscribe answer
 * (replay after `epoch`/`after`, else a snapshot), the same live events and heartbeats, the same
 * send budget (a stream whose bytes pile up or stop draining is ended, then destroyed after `closeGraceMs`).
 * Each event carries `id: <seq>`, so a plain EventSource resumes by `Last-Event-ID`; the epoch travels in the
 * URL (`epoch=`) and in every event's data. Never throws: a request it cannot read gets 400.
 * @example
 * http.createServer((req, res) => {
 *   if (req.url?.startsWith('/progress/sse')) return acceptSse(hub, req, res)
 * })
 */
export function acceptSse<Request extends SseHttpRequest>(
  hub: ProgressHub<Request>,
  request: Request,
  response: SseHttpResponse,
  options: SseOptions = {},
): HubConnection | null {
  try {
    return serveSse(hub, request, response, options)
  } catch {
    // Whatever a request or a broken response throws ends that response only, never the process.
    try {
      response.destroy?.()
    } catch {}
    return null
  }
}

function refuse(
  response: SseHttpResponse,
  status: number,
  message: string,
  headers?: Record<string, string>,
) {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers })
  response.end(message)
  return null
}

function serveSse<Request extends SseHttpRequest>(
  hub: ProgressHub<Request>,
  request: Request,
  response: SseHttpResponse,
  options: SseOptions,
): HubConnection | null {
  if (request.method !== 'GET') return refuse(response, 405, 'use GET', { allow: 'GET' })
  const wanted = readSseRequest(request)
  if (!wanted) return refuse(response, 400, 'a readable URL with ?run= of 1–128 characters is needed')
  const every = options.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms))
  const stopEvery =
    options.clearInterval ??
    ((handle) => globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>))
  const later = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms))
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...options.headers,
  })
  let open = true
  // While the stream waits for 'drain', what comes is joined here and written as one chunk when it drains: a reader
  // that stops reading leaves one chunk queued in Node, not one per event (ending a stream makes an error object,
  // with its stack, for every chunk still queued: thousands of them stalled the event loop for ~100 ms).
  let draining = false
  let waiting = ''
  let waitingBytes = 0
  const write = (chunk: string) => {
    if (!open) return
    if (draining) {
      waiting += chunk
      waitingBytes += utf8Length(chunk)
    } else draining = response.write(chunk) === false
  }
  response.on('drain', () => {
    draining = false
    const chunk = waiting
    waiting = ''
    waitingBytes = 0
    if (chunk !== '') write(chunk)
  })
  write(`retry: ${options.retryMs ?? SSE_DEFAULTS.retryMs}\n\n`)
  const keepAliveMs = options.keepAliveMs ?? SSE_DEFAULTS.keepAliveMs
  const keepAlive = keepAliveMs > 0 ? every(() => write(': keep-alive\n\n'), keepAliveMs) : null

  // A closed hub closes the peer inside `connect`, before `connection` is assigned.
  let connection: HubConnection | null = null
  connection = hub.connect(
    {
      send: (text) => write(toEvent(text)),
      get bufferedAmount() {
        return response.writableLength + waitingBytes
      },
      // The hub closes for backpressure or shutdown: ending the response makes the client resume.
      close: (code) => finish(code !== 1001),
    },
    request,
  )
  // cut: the hub refused this reader (too slow, stalled): its connection is destroyed after the grace.
  function finish(cut: boolean) {
    if (!open) return
    open = false
    if (keepAlive !== null) stopEvery(keepAlive)
    const socket = response.socket
    try {
      // A reader cut for not keeping up would not take what waits; one the hub closes (shutdown) gets it.
      response.end(cut ? undefined : waiting)
    } catch {}
    // A reader that stopped never takes the bytes queued for it, here or in the kernel, so its connection goes
    // once the grace is over; a slow one has had the grace to read the rest, and resumes by Last-Event-ID.
    if (cut) {
      const timer = later(() => {
        try {
          if (socket) socket.destroy()
          else response.destroy?.()
        } catch {}
      }, options.closeGraceMs ?? SSE_DEFAULTS.closeGraceMs)
      ;(timer as { unref?: () => void } | undefined)?.unref?.()
    }
    connection?.closed()
  }
  response.on('close', () => finish(false))
  response.on('error', () => finish(false))
  if (open) connection.receive(JSON.stringify({ v: 1, type: 'subscribe', ...wanted }))
  return connection
}

/**
 * A Node `http` request handler serving the hub over Server-Sent Events (GET `?run=&epoch=&after=`).
 * @example
 * const sse = createSseHandler(hub)
 * http.createServer((req, res) => (req.url?.startsWith('/progress/sse') ? sse(req, res) : app(req, res)))
 */
export function createSseHandler<Request extends SseHttpRequest>(
  hub: ProgressHub<Request>,
  options: SseOptions = {},
) {
  // Never throws: an unreadable request gets 400 and a broken response is destroyed (see `acceptSse`).
  return (request: Request, response: SseHttpResponse): void => {
    acceptSse(hub, request, response, options)
  }
}
