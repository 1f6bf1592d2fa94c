import { createProgressClient, type ProgressClientOptions } from '../../../src/client/index'
import type { Transport, TransportFactory, TransportHandlers } from '../../../src/transport/transport'
import { ev } from '../../support/logs'
import { createFakeWorld } from '../store/fakeWorld'

const plan = [{ id: 'a', label: 'A', weight: 1 }]
const subscribed = (heartbeatMs: number, run = 'run-1') =>
  JSON.stringify({ v: 1, type: 'subscribed', run, head: 0, heartbeatMs })
const beat = (run = 'run-1') => JSON.stringify({ v: 1, type: 'heartbeat', run, head: 0, ts: 1 })

/** A transport the test opens, feeds and watches by hand, on the fake world's clock. */
function setup(options: Partial<ProgressClientOptions> = {}, withReconnect = true) {
  const world = createFakeWorld()
  let handlers: TransportHandlers | null = null
  const wire = { made: 0, open: false, opens: 0, reconnects: 0 }
  const factory: TransportFactory = (h) => {
    wire.made++
    handlers = h
    const transport: Transport = {
      send: () => wire.open,
      close() {
        wire.open = false
      },
      get isOpen() {
        return wire.open
      },
    }
    if (withReconnect)
      transport.reconnect = () => {
        wire.reconnects++
        wire.open = false
        h.onClose(false)
      }
    return transport
  }
  const client = createProgressClient({
    transport: factory,
    flush: 'sync',
    now: world.now,
    env: world.env,
    ...options,
  })
  const open = () => {
    wire.open = true
    wire.opens++
    handlers!.onOpen()
  }
  const say = (text: string) => handlers!.onMessage(text)
  const view = () => client.store.getState().runs['run-1']
  return { world, client, wire, open, say, view, status: () => client.store.getState().connection.status }
}

describe('connection liveness (PROTOCOL v1.1 rule 8)', () => {
  test('no frame for 2.5 × the announced heartbeatMs: the connection is dropped and reconnected, once', () => {
    const { world, client, wire, open, say, status } = setup()
    client.follow('run-1')
    open()
    say(subscribed(1000))
    world.advance(2499)
    expect(wire.reconnects).toBe(0)
    world.advance(1)
    expect(wire.reconnects).toBe(1)
    expect(client.stats().silences).toBe(1)
    expect(status()).toBe('reconnecting')
    world.advance(60_000) // closed: nothing to watch until it opens again
    expect(wire.reconnects).toBe(1)
    open()
    expect(status()).toBe('open')
    world.advance(2500) // the announced period is remembered across reconnects
    expect(wire.reconnects).toBe(2)
    client.close()
  })

  test('any frame keeps it alive: heartbeats, events, even frames for other runs and invalid ones', () => {
    const { world, client, wire, open, say } = setup()
    client.follow('run-1')
    open()
    say(subscribed(1000))
    const frames = [beat(), JSON.stringify(ev('run_started', 1, { plan })), beat('other'), 'not json']
    for (let i = 0; i < 20; i++) {
      world.advance(2000)
      say(frames[i % frames.length]!)
    }
    expect(wire.reconnects).toBe(0)
    client.close()
  })

  test('without an announcement the timeout is 25 s; heartbeatTimeoutMs overrides both', () => {
    const plain = setup()
    plain.client.follow('run-1')
    plain.open()
    plain.world.advance(24_999)
    expect(plain.wire.reconnects).toBe(0)
    plain.world.advance(1)
    expect(plain.wire.reconnects).toBe(1)
    plain.client.close()

    const set = setup({ heartbeatTimeoutMs: 700 })
    set.client.follow('run-1')
    set.open()
    set.say(subscribed(1000))
    set.world.advance(699)
    expect(set.wire.reconnects).toBe(0)
    set.world.advance(1)
    expect(set.wire.reconnects).toBe(1)
    set.client.close()
  })

  test('a connection that follows nothing may stay silent; following starts the count', () => {
    const { world, client, wire, open } = setup({ idleCloseMs: false })
    client.follow('run-0')
    open()
    client.unfollow('run-0')
    world.advance(100_000)
    expect(wire.reconnects).toBe(0)
    client.follow('run-1')
    world.advance(24_999)
    expect(wire.reconnects).toBe(0)
    world.advance(1)
    expect(wire.reconnects).toBe(1)
    client.close()
  })

  test('unfollowing the last run stops the count', () => {
    const { world, client, wire, open } = setup()
    client.follow('run-1')
    open()
    world.advance(10_000)
    client.unfollow('run-1')
    world.advance(100_000)
    expect(wire.reconnects).toBe(0)
    client.close()
  })

  test('a transport without reconnect() is left open: its silent runs go stale, never live', () => {
    const { world, client, open, say, status, view } = setup({}, false)
    client.follow('run-1')
    open()
    say(subscribed(1000))
    say(JSON.stringify(ev('run_started', 1, { plan })))
    world.advance(2800) // the store refreshes every 250 ms
    expect(client.stats().silences).toBe(1)
    expect(status()).toBe('open')
    expect(view()?.confidenceReason).toBe('stale')
    say(beat())
    expect(view()?.confidenceReason).not.toBe('stale')
    client.close()
  })

  test('close() leaves no timer behind', () => {
    const { world, client, open, say } = setup()
    client.follow('run-1')
    open()
    say(subscribed(1000))
    client.close()
    expect(world.timerCount()).toBe(0)
  })
})

describe('connection life: opened by the first follow, closed when idle', () => {
  /** `setup`, with the client's onOpen/onClose reports in order. */
  function counted(options: Partial<ProgressClientOptions> = {}) {
    const events: string[] = []
    const world = setup({
      onOpen: ({ reconnected }) => events.push(reconnected ? 'open again' : 'open'),
      onClose: ({ reason }) => events.push(`close: ${reason}`),
      ...options,
    })
    return { ...world, events }
  }

  test('nothing opens before the first follow; it opens then, and says so', () => {
    const { client, wire, open, events, status, world } = counted()
    world.advance(60_000)
    expect(status()).toBe('idle')
    expect(wire.made).toBe(0)
    client.follow('run-1')
    expect(wire.made).toBe(1)
    expect(status()).toBe('connecting')
    open()
    expect(status()).toBe('open')
    expect(events).toEqual(['open'])
    client.close()
    expect(events).toEqual(['open', 'close: closed'])
  })

  test('idleCloseMs after the last unfollow the connection closes; the next follow opens a new one', () => {
    const { client, wire, open, events, status, world } = counted({ idleCloseMs: 5000 })
    client.follow('run-1')
    open()
    client.unfollow('run-1')
    world.advance(4999)
    expect(wire.open).toBe(true)
    // A follow in time keeps the connection: a page moving from one run to the next does not reconnect.
    client.follow('run-2')
    client.unfollow('run-2')
    world.advance(4999)
    expect(wire.open).toBe(true)
    world.advance(1)
    expect(wire.open).toBe(false)
    expect(status()).toBe('idle')
    expect(events).toEqual(['open', 'close: idle'])
    client.follow('run-3')
    expect(status()).toBe('connecting')
    open()
    expect(events).toEqual(['open', 'close: idle', 'open'])
    expect([wire.made, client.stats().opens]).toEqual([2, 2])
    client.close()
  })

  test('a lost connection is reported, and its return; idleCloseMs: false never closes', () => {
    const { client, wire, open, say, events, world } = counted({ idleCloseMs: false })
    client.follow('run-1')
    open()
    say(subscribed(1000))
    world.advance(2500) // silent: rule 8 drops it
    expect(wire.reconnects).toBe(1)
    open()
    client.unfollow('run-1')
    world.advance(10 * 60_000)
    expect(wire.open).toBe(true)
    expect(events).toEqual(['open', 'close: lost', 'open again'])
    client.close()
  })
})
