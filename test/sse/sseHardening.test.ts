// @vitest-environment node
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http'
import { type AddressInfo, connect, type Socket } from 'node:net'
import {
  acceptSse,
  createProgressHub,
  createSseHandler,
  type ProgressHub,
  type SseHttpResponse,
} from '../../src/server/index'

const plan = [{ id: 'work', label: 'Work', weight: 1 }]
let hub: ProgressHub<IncomingMessage>
let server: Server
let port: number
const serverSockets = new Set<Socket>()

beforeEach(async () => {
  hub = createProgressHub<IncomingMessage>({ heartbeatMs: 60_000, maxBufferedBytes: 64 * 1024 })
  const sse = createSseHandler(hub, { keepAliveMs: 0, closeGraceMs: 200 })
  server = createServer((req, res) => sse(req, res))
  server.on('connection', (socket) => {
    serverSockets.add(socket)
    socket.on('close', () => serverSockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})

afterEach(async () => {
  for (const socket of serverSockets) socket.destroy()
  await hub.close()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

/** Sends a raw request line (whatever `http.request` would refuse to send) and reads the status. */
function rawStatus(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
    })
    let text = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => {
      text += chunk
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]
      if (status === undefined) return
      resolve(Number(status))
      socket.destroy()
    })
    socket.on('error', reject)
  })
}

describe('the SSE handler never throws', () => {
  it('answers 400 to request targets it cannot read, and keeps serving', async () => {
    for (const target of ['/%', '//[', '//a:99999/x', '/?run=']) {
      expect(await rawStatus(target), target).toBe(400)
    }
    await hub.run('r').start(plan)
    expect(await rawStatus('/?run=r')).toBe(200)
  })

  it('survives a request object without a url and a response that throws', () => {
    const broken = {
      writeHead() {
        throw new Error('socket gone')
      },
      write() {
        throw new Error('socket gone')
      },
      end() {},
      writableLength: 0,
      on() {},
      destroy: vi.fn(),
    } satisfies SseHttpResponse & Record<string, unknown>
    const request = { method: 'GET', url: undefined, headers: {} }
    expect(() => acceptSse(hub, request as never, broken)).not.toThrow()
    expect(() => acceptSse(hub, { ...request, url: '/?run=r' } as never, broken)).not.toThrow()
    expect(broken.destroy).toHaveBeenCalledTimes(2)
    expect(hub.metrics().connections).toBe(0)
  })
})

describe('SSE readers that stop reading', () => {
  it('are ended by the send budget and their sockets destroyed within the grace', async () => {
    const run = hub.run('r')
    await run.start(plan)
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest({ host: '127.0.0.1', port, path: '/?run=r' }, resolve)
        .on('error', () => {})
        .end()
      setTimeout(() => reject(new Error('no response')), 5000)
    })
    response.pause()
    response.socket.pause()
    expect(serverSockets.size).toBe(1)
    const line = 'x'.repeat(4000)
    for (let i = 0; i < 20_000 && hub.metrics().backpressureCloses === 0; i++) {
      await run.agentThinking('reader', `${i} ${line}`)
    }
    expect(hub.metrics().backpressureCloses).toBe(1)
    await vi.waitFor(() => expect(serverSockets.size).toBe(0), { timeout: 5000 })
    expect(hub.metrics().connections).toBe(0)
    response.destroy()
  })
})

/** A response that takes `room` bytes, then wants a 'drain' (as Node's does past its highWaterMark). */
function tightResponse(room: number) {
  const chunks: string[] = []
  const listeners: Record<string, (() => void)[]> = {}
  let queued = 0
  const response = {
    writeHead() {},
    write(chunk: string) {
      chunks.push(chunk)
      queued += chunk.length
      return queued < room
    },
    end(body?: string) {
      if (body) chunks.push(body)
    },
    get writableLength() {
      return queued
    },
    on(event: string, listener: () => void) {
      listeners[event] = [...(listeners[event] ?? []), listener]
    },
    destroy: vi.fn(),
  } satisfies SseHttpResponse & Record<string, unknown>
  const drain = () => {
    queued = 0
    for (const listener of listeners.drain ?? []) listener()
  }
  return { response, chunks, drain }
}

describe('a stream that wants a drain', () => {
  it('joins what comes meanwhile into one chunk, written when it drains', async () => {
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('work')
    const { response, chunks, drain } = tightResponse(1)
    acceptSse(hub, { method: 'GET', url: '/?run=r', headers: {} } as never, response)
    const written = chunks.length
    for (let i = 1; i <= 20; i++) await run.phaseProgress('work', i, 20)
    expect(chunks.length).toBe(written)
    drain()
    expect(chunks.length).toBe(written + 1)
    const events = chunks
      .at(-1)!
      .split('\n\n')
      .filter((event) => event.startsWith('id: '))
    // The first write (the retry line) filled it: the snapshot (seq 2) and every event since waited together.
    expect(written).toBe(1)
    expect(events.map((event) => Number(/^id: (\d+)/.exec(event)![1]))).toEqual(
      Array.from({ length: 21 }, (_, i) => i + 2),
    )
  })

  it('counts what waits toward the send budget: a reader that stopped is cut at the cap', async () => {
    const run = hub.run('r')
    await run.start(plan)
    await run.phaseStarted('work')
    const { response } = tightResponse(1)
    acceptSse(hub, { method: 'GET', url: '/?run=r', headers: {} } as never, response)
    const label = 'x'.repeat(2_000)
    for (let i = 1; i <= 60 && hub.metrics().connections > 0; i++) {
      await run.phaseProgress('work', i, 100, label)
    }
    // 64 KiB budget (beforeEach), ~2 KB an event: cut well before the 60th.
    expect(hub.metrics().connections).toBe(0)
    expect(hub.metrics().backpressureCloses).toBe(1)
  })
})
