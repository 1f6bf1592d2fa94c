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
  const wire = { open: false, opens: 0, reconnects: 0 }
  const factory: TransportFactory = (h) => {
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
    const { world, client, wire, open } = setup()
    open()
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

  test('a transport without reconnect() is shown as reconnecting while silent, never live, and open when it speaks', () => {
    const { world, client, open, say, status, view } = setup({}, false)
    client.follow('run-1')
    open()
    say(subscribed(1000))
    say(JSON.stringify(ev('run_started', 1, { plan })))
    world.advance(2500)
    expect(status()).toBe('reconnecting')
    expect(view()?.confidenceReason).toBe('reconnecting')
    expect(client.stats().silences).toBe(1)
    say(beat())
    expect(status()).toBe('open')
    expect(view()?.confidenceReason).not.toBe('reconnecting')
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
