import { type ClientRequest, get, type IncomingMessage } from 'node:http'

type Listener = (event: { type: string; data?: string; lastEventId?: string }) => void

/**
 * A minimal EventSource for Node tests, over node:http: the parts of the WHATWG spec the kit relies on
 * (named events, `id` → `lastEventId`, `retry`, comments, reconnect with a `Last-Event-ID` header, `close`).
 * Node 20 has no global EventSource, and the kit adds no dependency for tests.
 */
export class NodeEventSource {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSED = 2
  /** Every instance made, so tests can inspect or close them. */
  static readonly made: NodeEventSource[] = []
  readyState = NodeEventSource.CONNECTING
  lastEventId = ''
  /** The `Last-Event-ID` header sent with each connection attempt ('' for none). */
  readonly sentLastEventIds: string[] = []
  private readonly listeners = new Map<string, Set<Listener>>()
  private request: ClientRequest | null = null
  private retryMs = 1000
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(readonly url: string) {
    NodeEventSource.made.push(this)
    this.connect()
  }

  addEventListener(type: string, listener: Listener) {
    const set = this.listeners.get(type) ?? new Set<Listener>()
    this.listeners.set(type, set)
    set.add(listener)
  }

  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener)
  }

  close() {
    this.readyState = NodeEventSource.CLOSED
    if (this.timer) clearTimeout(this.timer)
    this.request?.destroy()
    this.request = null
  }

  private emit(type: string, data?: string) {
    const event = data === undefined ? { type } : { type, data, lastEventId: this.lastEventId }
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event)
  }

  private connect() {
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (this.lastEventId) headers['last-event-id'] = this.lastEventId
    this.sentLastEventIds.push(this.lastEventId)
    const request = get(this.url, { headers }, (response) => this.read(response))
    request.on('error', () => this.lost())
    this.request = request
  }

  private read(response: IncomingMessage) {
    if (
      response.statusCode !== 200 ||
      !String(response.headers['content-type']).startsWith('text/event-stream')
    ) {
      response.resume()
      this.readyState = NodeEventSource.CLOSED
      this.emit('error')
      return
    }
    this.readyState = NodeEventSource.OPEN
    this.emit('open')
    response.setEncoding('utf8')
    let buffer = ''
    let data: string[] = []
    let type = ''
    response.on('data', (chunk: string) => {
      buffer += chunk
      const lines = buffer.split(/\r\n|\r|\n/)
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        if (this.readyState === NodeEventSource.CLOSED) return
        if (line === '') {
          if (data.length > 0) this.emit(type || 'message', data.join('\n'))
          data = []
          type = ''
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'data') data.push(value)
        else if (field === 'event') type = value
        else if (field === 'id' && !value.includes('\0')) this.lastEventId = value
        else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value)
      }
    })
    response.on('close', () => this.lost())
  }

  // As a browser does: report, then reconnect after `retry` with the last id seen.
  private lost() {
    if (this.readyState === NodeEventSource.CLOSED) return
    this.request = null
    this.readyState = NodeEventSource.CONNECTING
    this.emit('error')
    if (this.readyState !== NodeEventSource.CONNECTING) return
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.readyState === NodeEventSource.CONNECTING) this.connect()
    }, this.retryMs)
  }
}
