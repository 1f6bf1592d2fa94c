// @vitest-environment node
import type { IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { createProgressHub, type ProgressHub } from '../../src/server'
import { connectClient, plan, seqsOf, serveHub, type TestClient } from './wire'

describe('hub over a real ws server', () => {
  let hub: ProgressHub<IncomingMessage>
  let served: Awaited<ReturnType<typeof serveHub>>
  const clients: TestClient[] = []
  const client = async () => {
    const c = await connectClient(served.url)
    clients.push(c)
    return c
  }

  beforeEach(async () => {
    hub = createProgressHub<IncomingMessage>()
    served = await serveHub(hub)
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await served.close()
    await hub.close()
  })

  it('serves a subscriber that arrived before the run existed from seq 1', async () => {
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r1' })
    await vi.waitFor(() => expect(hub.metrics().runs).toBe(1))
    const run = hub.run('r1')
    await run.start(plan, { title: 'Late' })
    await run.phaseStarted('search')
    await run.phaseProgress('search', 1, 4)
    await c.until(() => seqsOf(c.frames, 'r1').length === 3)
    expect(c.frames.map((f) => f.type)).toEqual(['run_started', 'phase_started', 'phase_progress'])
    expect(seqsOf(c.frames, 'r1')).toEqual([1, 2, 3])
    expect(c.frames[0]).toMatchObject({ epoch: run.epoch, title: 'Late' })
  })

  it('answers a subscribe without a position with a snapshot at the head, then live events', async () => {
    const run = hub.run('r2')
    await run.start(plan)
    await run.transition('search', 'read')
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r2' })
    const snapshot = await c.waitFor((f) => f.type === 'snapshot')
    expect(snapshot).toMatchObject({ seq: 3, epoch: run.epoch, state: run.state() })
    await run.phaseProgress('read', 1, 2)
    await c.waitFor((f) => f.type === 'phase_progress')
    expect(c.frames.map((f) => f.type)).toEqual(['snapshot', 'phase_progress'])
    expect(seqsOf(c.frames, 'r2')).toEqual([3, 4])
  })

  it('replays only the events after `after` when the epoch matches', async () => {
    const run = hub.run('r3')
    await run.start(plan)
    for (let i = 1; i <= 5; i++) await run.phaseProgress('search', i, 10)
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r3', epoch: run.epoch, after: 3 })
    await c.until(() => seqsOf(c.frames, 'r3').length === 3)
    expect(seqsOf(c.frames, 'r3')).toEqual([4, 5, 6])
    expect(c.frames.every((f) => f.type === 'phase_progress')).toBe(true)
    expect(hub.metrics()).toMatchObject({ replays: 1, replayedEvents: 3, snapshotsSent: 0 })
  })

  it('sends a snapshot to a client of another epoch', async () => {
    const run = hub.run('r4')
    await run.start(plan)
    const c = await client()
    c.send({ v: 1, type: 'subscribe', run: 'r4', epoch: 'an-older-epoch', after: 7 })
    const snapshot = await c.waitFor((f) => f.type === 'snapshot')
    expect(snapshot).toMatchObject({ epoch: run.epoch, seq: 1 })
  })
})

describe('hub over a real ws server: guards', () => {
  it('authorizes from the upgrade request and leaks nothing of a forbidden run', async () => {
    const hub = createProgressHub<IncomingMessage>({
      authorize: async (request, runId) =>
        new URL(request.url ?? '', 'http://x').searchParams.get('user') === runId.split(':')[0],
    })
    const served = await serveHub(hub)
    const alice = await connectClient(`${served.url}?user=alice`)
    try {
      const secret = hub.run('bob:1')
      await secret.start(plan, { title: 'top secret' })
      const own = hub.run('alice:1')
      await own.start(plan)
      alice.send({ v: 1, type: 'subscribe', run: 'bob:1' })
      alice.send({ v: 1, type: 'subscribe', run: 'alice:1' })
      await alice.waitFor((f) => f.type === 'error')
      await alice.waitFor((f) => f.type === 'snapshot')
      await secret.phaseStarted('search')
      await own.phaseStarted('search')
      await alice.waitFor((f) => f.type === 'phase_started')
      expect(alice.frames.filter((f) => f.run === 'bob:1')).toEqual([
        { v: 1, type: 'error', code: 'forbidden', message: expect.any(String), run: 'bob:1' },
      ])
      expect(JSON.stringify(alice.frames)).not.toContain('top secret')
      expect(seqsOf(alice.frames, 'alice:1')).toEqual([1, 2])
    } finally {
      await alice.close()
      await served.close()
      await hub.close()
    }
  })

  it('answers malformed frames with bad_frame and keeps serving the socket', async () => {
    const hub = createProgressHub<IncomingMessage>()
    const served = await serveHub(hub)
    const c = await connectClient(served.url)
    try {
      const run = hub.run('r')
      c.send({ v: 1, type: 'subscribe', run: 'r' })
      await run.start(plan)
      c.send('{"v":1,')
      c.send({ v: 1, type: 'subscribe' })
      c.socket.send(Buffer.from([0xc3, 0x28]))
      // Under the 64 KiB frame limit, so it is read and refused (over it, ws closes the socket: 1009).
      c.send('x'.repeat(60_000))
      // v1.1 decision 7: a binary message is invalid even when its bytes are a valid frame.
      c.socket.send(Buffer.from(JSON.stringify({ v: 1, type: 'unsubscribe', run: 'r' })))
      await c.until(() => c.frames.filter((f) => f.type === 'error').length === 5)
      await run.phaseStarted('search')
      await c.until(() => seqsOf(c.frames, 'r').length === 2)
      expect(c.frames.filter((f) => f.type === 'error').map((f) => f.type === 'error' && f.code)).toEqual(
        Array(5).fill('bad_frame'),
      )
      expect(c.closeCode).toBeNull()
      expect(c.invalid).toEqual([])
    } finally {
      await c.close()
      await served.close()
      await hub.close()
    }
  })

  it('closes a reader that stopped reading with 1013; it resumes from its last seq without loss', async () => {
    const hub = createProgressHub<IncomingMessage>({ maxBufferedBytes: 256 * 1024 })
    const served = await serveHub(hub)
    const slow = await connectClient(served.url)
    let resumed: TestClient | undefined
    try {
      const run = hub.run('r')
      await run.start([{ id: 'work', label: 'Work', weight: 1 }])
      slow.send({ v: 1, type: 'subscribe', run: 'r' })
      await vi.waitFor(() => expect(run.subscribers).toBe(1))
      // Stop reading at the TCP level: the server's kernel buffers fill, then ws buffers in memory.
      const tcp = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket
      tcp.pause()
      const line = 'x'.repeat(4000)
      for (let i = 0; i < 20_000 && hub.metrics().backpressureCloses === 0; i++) {
        await run.agentThinking('reader', `${i} ${line}`)
      }
      expect(hub.metrics().backpressureCloses).toBe(1)
      expect(run.subscribers).toBe(0)
      tcp.resume()
      expect(await slow.waitClosed(10_000)).toBe(1013)
      const seen = seqsOf(slow.frames, 'r')
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1))
      await run.agentThinking('reader', 'after the close')
      resumed = await connectClient(served.url)
      resumed.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: seen.at(-1)! })
      await resumed.until(() => seqsOf(resumed!.frames, 'r').at(-1) === run.head)
      expect(seqsOf(resumed.frames, 'r')).toEqual(
        Array.from({ length: run.head - seen.at(-1)! }, (_, i) => seen.at(-1)! + 1 + i),
      )
    } finally {
      await slow.close()
      await resumed?.close()
      await served.close()
      await hub.close()
    }
  })
})

describe('hub.attach', () => {
  it('serves an existing WebSocketServer; close() ends its sockets and stops serving new ones', async () => {
    const hub = createProgressHub<IncomingMessage>()
    const wss = await new Promise<WebSocketServer>((resolve) => {
      const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () =>
        resolve(server),
      )
    })
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
    const attached = hub.attach(wss)
    const c = await connectClient(url)
    let late: TestClient | undefined
    try {
      const run = hub.run('r')
      await run.start(plan)
      c.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 0 })
      await c.waitFor((f) => f.type === 'run_started')
      expect(hub.metrics().connections).toBe(1)
      await attached.close()
      expect(await c.waitClosed()).toBeGreaterThan(0)
      await vi.waitFor(() => expect(hub.metrics().connections).toBe(0))
      late = await connectClient(url)
      late.send({ v: 1, type: 'subscribe', run: 'r' })
      await run.phaseStarted('search')
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(late.frames).toEqual([])
      expect(hub.metrics().connections).toBe(0)
    } finally {
      await c.close()
      await late?.close()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await hub.close()
    }
  })
})
