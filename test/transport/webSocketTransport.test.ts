// @vitest-environment node
import { WebSocket, WebSocketServer } from 'ws'
import { createWebSocketTransport } from '../../src/transport/createWebSocketTransport'
import type { TransportError, TransportHandlers } from '../../src/transport/transport'
import { waitFor } from '../client/live/scriptedServer'

/** A port nobody listens on: bind one, then let it go. */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const wss: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => {
      const address = wss.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      wss.close(() => resolve(port))
    })
  })
}

function recordingHandlers() {
  const log: string[] = []
  const errors: TransportError[] = []
  const handlers: TransportHandlers = {
    onConnecting: (attempt) => log.push(`connecting ${attempt}`),
    onOpen: () => log.push('open'),
    onMessage: (data) => log.push(`message ${String(data)}`),
    onClose: (final) => log.push(final ? 'closed for good' : 'closed'),
    onError: (error) => errors.push(error),
  }
  return { handlers, log, errors }
}

describe('createWebSocketTransport', () => {
  it('backs off with full jitter: each delay is random × min(cap, base × grow^(n-1))', async () => {
    const port = await deadPort()
    const delays: number[] = []
    const { handlers, log } = recordingHandlers()
    const transport = createWebSocketTransport(handlers, {
      url: `ws://127.0.0.1:${port}`,
      WebSocket,
      reconnect: { minReconnectionDelay: 20, maxReconnectionDelay: 60, reconnectionDelayGrowFactor: 2 },
      random: () => 0.5,
      env: {
        setTimeout: (fn, ms) => {
          delays.push(ms)
          return setTimeout(fn, ms)
        },
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
    })
    try {
      await waitFor(() => (delays.length >= 4 ? true : undefined))
      // The first attempt waits for nothing; then 0.5 × 20, 0.5 × 40, 0.5 × 60 (capped), …
      expect(delays.slice(0, 4)).toEqual([10, 20, 30, 30])
      expect(log.slice(0, 3)).toEqual(['connecting 0', 'closed', 'connecting 1'])
    } finally {
      transport.close()
    }
  })

  it('never calls a handler after close(), and refuses to send', async () => {
    const sockets: import('ws').WebSocket[] = []
    const wss: WebSocketServer = await new Promise((resolve) => {
      const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
        resolve(server),
      )
    })
    wss.on('connection', (socket) => {
      socket.on('error', () => {})
      sockets.push(socket)
    })
    const address = wss.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const { handlers, log, errors } = recordingHandlers()
    const transport = createWebSocketTransport(handlers, { url: `ws://127.0.0.1:${port}`, WebSocket })
    try {
      await waitFor(() => (log.includes('open') ? true : undefined))
      expect(transport.isOpen).toBe(true)
      expect(transport.send('{}')).toBe(true)
      transport.close()
      const after = log.length
      sockets[0]?.send('late')
      sockets[0]?.terminate()
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(log.length).toBe(after)
      expect(errors).toEqual([])
      expect(transport.isOpen).toBe(false)
      expect(transport.send('{}')).toBe(false)
    } finally {
      transport.close()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  })

  it('reconnect() drops an open socket without its close handshake and opens a new one after the backoff', async () => {
    const sockets: import('ws').WebSocket[] = []
    const wss: WebSocketServer = await new Promise((resolve) => {
      const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
        resolve(server),
      )
    })
    wss.on('connection', (socket) => {
      socket.on('error', () => {})
      sockets.push(socket)
    })
    const address = wss.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const { handlers, log } = recordingHandlers()
    const transport = createWebSocketTransport(handlers, {
      url: `ws://127.0.0.1:${port}`,
      WebSocket,
      reconnect: { minReconnectionDelay: 20, maxReconnectionDelay: 20 },
    })
    try {
      await waitFor(() => (log.includes('open') ? true : undefined))
      transport.reconnect?.()
      expect(transport.isOpen).toBe(false)
      await waitFor(() => (log.filter((entry) => entry === 'open').length === 2 ? true : undefined))
      expect(log).toEqual(['connecting 0', 'open', 'closed', 'connecting 1', 'open'])
      expect(sockets).toHaveLength(2)
      expect(transport.send('{}')).toBe(true)
    } finally {
      transport.close()
      for (const socket of sockets) socket.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    }
  })

  it('reports a url it cannot use instead of handing it to the socket', async () => {
    const { handlers, errors } = recordingHandlers()
    const transport = createWebSocketTransport(handlers, {
      url: 'ftp://127.0.0.1/x',
      WebSocket,
      reconnect: { minReconnectionDelay: 5, maxReconnectionDelay: 5 },
    })
    try {
      await waitFor(() => (errors.length >= 2 ? true : undefined))
      expect(errors[0]).toEqual({ kind: 'url', detail: 'unsupported protocol ftp:' })
    } finally {
      transport.close()
    }
  })

  it('a connection timeout on a socket that never answers is retried, and its late error does not leak', async () => {
    // A TCP server that accepts and never completes the WebSocket handshake.
    const net = await import('node:net')
    const held: import('node:net').Socket[] = []
    const tcp = net.createServer((socket) => {
      socket.on('error', () => {})
      held.push(socket)
    })
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', () => resolve()))
    const address = tcp.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    const { handlers, log } = recordingHandlers()
    const transport = createWebSocketTransport(handlers, {
      url: `ws://127.0.0.1:${port}`,
      WebSocket,
      reconnect: { connectionTimeout: 40, minReconnectionDelay: 5, maxReconnectionDelay: 5 },
    })
    try {
      await waitFor(() =>
        log.filter((entry) => entry.startsWith('connecting')).length >= 3 ? true : undefined,
      )
      expect(held.length).toBeGreaterThanOrEqual(2)
    } finally {
      transport.close()
      for (const socket of held) socket.destroy()
      await new Promise<void>((resolve) => tcp.close(() => resolve()))
    }
  })
})
