// @vitest-environment node
import { createProgressClient, type ProgressClient } from '../../src/client/createProgressClient'
import { createProgressHub, type ProgressHub } from '../../src/server'
import { createMemoryTransport } from '../../src/transport/createMemoryTransport'
import type { TransportHandlers } from '../../src/transport/transport'

const PLAN = [
  { id: 'a', label: 'A', weight: 1 },
  { id: 'b', label: 'B', weight: 1 },
]

async function until<T>(read: () => T | undefined, timeoutMs = 2_000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (value !== undefined && value !== false) return value
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('createMemoryTransport', () => {
  let hub: ProgressHub
  let client: ProgressClient | undefined

  beforeEach(() => {
    hub = createProgressHub()
  })
  afterEach(async () => {
    client?.close()
    client = undefined
    await hub.close()
  })

  it('connects a client to a hub in the same realm without sockets', async () => {
    const memory = createMemoryTransport((peer) => hub.connect(peer))
    client = createProgressClient({ transport: memory })
    client.follow('r1')
    const run = hub.run('r1')
    await run.start(PLAN)
    await run.phaseProgress('a', 1, 2)
    const view = await until(() => {
      const found = client!.store.getState().runs.r1
      return found?.seq === 2 ? found : undefined
    })
    expect(view.progress).toBe(0.25)
    expect(memory.opens).toBe(1)
  })

  it('resumes after kill() from the last applied seq, with a replay rather than a snapshot', async () => {
    const memory = createMemoryTransport((peer) => hub.connect(peer), { reconnectDelayMs: 10 })
    client = createProgressClient({ transport: memory })
    client.follow('r1')
    const run = hub.run('r1')
    await run.start(PLAN)
    await until(() => client!.store.getState().runs.r1?.seq === 1)
    const before = hub.metrics()
    memory.kill()
    await run.transition('a', 'b') // published while the client is away
    await until(() => client!.store.getState().connection.status === 'open' && memory.opens === 2)
    await run.complete()
    const view = await until(() => {
      const found = client!.store.getState().runs.r1
      return found?.status === 'completed' ? found : undefined
    })
    expect(view.displayed).toBe(1)
    expect(client.stats()).toMatchObject({ opens: 2, drops: 1, resumes: 1 })
    expect(hub.metrics()).toMatchObject({
      replays: before.replays + 1,
      snapshotsSent: before.snapshotsSent,
      connections: 1,
    })
  })

  it('reconnects when the server closes the connection, and the server forgets a killed one', async () => {
    const memory = createMemoryTransport((peer) => hub.connect(peer), { reconnectDelayMs: 10 })
    client = createProgressClient({ transport: memory })
    client.follow('r1')
    await until(() => memory.opens === 1 && hub.metrics().connections === 1)
    memory.kill()
    expect(hub.metrics().connections).toBe(0)
    await until(() => memory.opens === 2)
    await hub.close() // closes every connection (1001): the transport sees the server go
    await until(() => client!.store.getState().connection.status === 'reconnecting')
  })

  it('calls no handler after close() and tells the server once', async () => {
    const calls: string[] = []
    let closes = 0
    const memory = createMemoryTransport(() => ({ receive() {}, closed: () => void closes++ }))
    const handlers: TransportHandlers = {
      onConnecting: () => calls.push('connecting'),
      onOpen: () => calls.push('open'),
      onMessage: () => calls.push('message'),
      onClose: () => calls.push('close'),
      onError: () => calls.push('error'),
    }
    const transport = memory(handlers)
    await until(() => transport.isOpen)
    transport.close()
    transport.close()
    memory.kill()
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(calls).toEqual(['connecting', 'open'])
    expect(closes).toBe(1)
    expect(transport.send('{}')).toBe(false)
  })

  it('keeps frames in order and drops those of a killed connection', async () => {
    const received: unknown[] = []
    const peers: { send(text: string): void }[] = []
    const memory = createMemoryTransport(
      (peer) => {
        peers.push(peer)
        return { receive() {}, closed() {} }
      },
      { reconnectDelayMs: 1_000 },
    )
    const transport = memory({
      onConnecting() {},
      onOpen() {},
      onMessage: (data) => received.push(data),
      onClose() {},
      onError() {},
    })
    await until(() => transport.isOpen)
    for (let i = 1; i <= 5; i++) peers[0]!.send(String(i))
    memory.kill()
    peers[0]!.send('late')
    await new Promise((resolve) => setTimeout(resolve, 30))
    // Frames still in flight when the link died are lost, like a socket's.
    expect(received).toEqual([])
    transport.close()
  })
})
