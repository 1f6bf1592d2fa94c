import { createProgressHub } from '../../src/server'
import { connectMemory } from './memoryPeer'
import { plan } from './wire'

describe('authorization, bad frames and backpressure', () => {
  it('refuses a forbidden run with an error frame and leaks none of its data', async () => {
    const hub = createProgressHub<{ user: string }>({
      authorize: async (request, runId) => runId.startsWith(`${request.user}:`),
    })
    const secret = hub.run('bob:1')
    await secret.start(plan, { title: 'secret' })
    const mine = hub.run('alice:1')
    await mine.start(plan)
    const alice = connectMemory(hub, { user: 'alice' })
    alice.send({ v: 1, type: 'subscribe', run: 'bob:1' })
    alice.send({ v: 1, type: 'subscribe', run: 'alice:1' })
    await vi.waitFor(() => expect(alice.frames).toHaveLength(2))
    await secret.phaseStarted('search')
    await mine.phaseStarted('search')
    expect(alice.ofRun('bob:1')).toEqual([
      expect.objectContaining({ type: 'error', code: 'forbidden', run: 'bob:1' }),
    ])
    expect(JSON.stringify(alice.frames)).not.toContain('secret')
    expect(alice.seqs('alice:1')).toEqual([1, 2])
    expect(secret.subscribers).toBe(0)
    expect(hub.metrics().forbidden).toBe(1)
    await hub.close()
  })

  it('treats a throwing or rejecting authorize as a refusal', async () => {
    let calls = 0
    const hub = createProgressHub({
      authorize: (_request, runId) => {
        calls++
        if (runId === 'throws') throw new Error('db down')
        return Promise.reject(new Error('db down'))
      },
    })
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'throws' })
    viewer.send({ v: 1, type: 'subscribe', run: 'rejects' })
    await vi.waitFor(() => expect(hub.metrics().forbidden).toBe(2))
    expect(calls).toBe(2)
    expect(viewer.frames.map((f) => f.type === 'error' && f.code)).toEqual(['forbidden', 'forbidden'])
    await hub.close()
  })

  it('ignores an authorization that resolves after the client unsubscribed', async () => {
    let allow: (ok: boolean) => void = () => {}
    const hub = createProgressHub({ authorize: () => new Promise<boolean>((resolve) => (allow = resolve)) })
    const run = hub.run('r')
    await run.start(plan)
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    viewer.send({ v: 1, type: 'unsubscribe', run: 'r' })
    allow(true)
    await new Promise((resolve) => setTimeout(resolve, 0))
    await run.phaseStarted('search')
    expect(viewer.frames).toEqual([])
    expect(run.subscribers).toBe(0)
    await hub.close()
  })

  it('answers malformed frames with bad_frame and keeps the connection and its runs going', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    const viewer = connectMemory(hub)
    viewer.send({ v: 1, type: 'subscribe', run: 'r' })
    await run.start(plan)
    const bad: unknown[] = [
      'not json',
      '[]',
      JSON.stringify({ v: 2, type: 'subscribe', run: 'r' }),
      JSON.stringify({ v: 1, type: 'explode', run: 'r' }),
      JSON.stringify({ v: 1, type: 'subscribe', run: '' }),
      JSON.stringify({ v: 1, type: 'resync', run: 'r' }),
      'x'.repeat(70_000),
      new Uint8Array([0xff, 0xfe]),
      42,
      null,
    ]
    for (const data of bad) viewer.connection.receive(data)
    await run.phaseStarted('search')
    const errors = viewer.frames.filter((f) => f.type === 'error')
    expect(errors).toHaveLength(bad.length)
    expect(errors.every((f) => f.type === 'error' && f.code === 'bad_frame' && f.run === undefined)).toBe(
      true,
    )
    expect(viewer.seqs('r')).toEqual([1, 2])
    expect(viewer.peer.closedWith).toBeNull()
    expect(hub.metrics().badFrames).toBe(bad.length)
    await hub.close()
  })

  it('closes a connection past the bufferedAmount cap with 1013; the client resumes without loss', async () => {
    const hub = createProgressHub({ maxBufferedBytes: 1000 })
    const run = hub.run('r')
    const slow = connectMemory(hub)
    const other = connectMemory(hub)
    slow.send({ v: 1, type: 'subscribe', run: 'r' })
    other.send({ v: 1, type: 'subscribe', run: 'r' })
    await run.start(plan)
    await run.phaseStarted('search')
    slow.peer.bufferedAmount = 1001
    await run.phaseProgress('search', 1, 5)
    await run.phaseProgress('search', 2, 5)
    expect(slow.peer.closedWith).toEqual({ code: 1013, reason: expect.any(String) })
    expect(slow.seqs('r')).toEqual([1, 2])
    expect(other.seqs('r')).toEqual([1, 2, 3, 4])
    expect(hub.metrics()).toMatchObject({ backpressureCloses: 1, connections: 1 })
    expect(run.subscribers).toBe(1)
    // Closed connections ignore further input; the client reconnects and resumes from its last seq.
    slow.send({ v: 1, type: 'subscribe', run: 'r' })
    expect(slow.frames).toHaveLength(2)
    const resumed = connectMemory(hub)
    resumed.send({ v: 1, type: 'subscribe', run: 'r', epoch: run.epoch, after: 2 })
    expect(resumed.seqs('r')).toEqual([3, 4])
    await hub.close()
  })

  it('closes a connection whose transport throws on send', async () => {
    const hub = createProgressHub()
    const run = hub.run('r')
    const broken = connectMemory(hub)
    broken.send({ v: 1, type: 'subscribe', run: 'r' })
    broken.peer.send = () => {
      throw new Error('socket gone')
    }
    await expect(run.start(plan)).resolves.toBe(1)
    expect(broken.peer.closedWith?.code).toBe(1011)
    expect(hub.metrics().connections).toBe(0)
    await hub.close()
  })
})
