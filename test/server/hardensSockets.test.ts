// @vitest-environment node
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer } from 'ws'
import { MAX_FRAME_BYTES } from '../../src/protocol/types'
import { attachWebSocket, createProgressHub } from '../../src/server'
import { connectClient, plan, seqsOf } from './wire'

const listening = () =>
  new Promise<WebSocketServer>((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server))
  })
const urlOf = (wss: WebSocketServer) => `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`
const closeWss = (wss: WebSocketServer) => new Promise<void>((resolve) => wss.close(() => resolve()))

describe('the 64 KiB frame limit, whatever WebSocketServer the hub is given', () => {
  it("attachWebSocket lowers ws's 100 MiB default to 64 KiB; a larger message closes the socket with 1009", async () => {
    const hub = createProgressHub<IncomingMessage>()
    const wss = await listening()
    const warnings: string[] = []
    const attached = attachWebSocket(hub, wss, { onWarning: (message) => warnings.push(message) })
    expect(wss.options.maxPayload).toBe(MAX_FRAME_BYTES)
    // Nobody chose ws's default: lowering it is the documented contract, not worth a warning at every start.
    expect(warnings).toEqual([])
    const fits = await connectClient(urlOf(wss))
    const tooLarge = await connectClient(urlOf(wss))
    try {
      fits.send('x'.repeat(MAX_FRAME_BYTES))
      await fits.waitFor((f) => f.type === 'error' && f.code === 'bad_frame')
      tooLarge.send('x'.repeat(MAX_FRAME_BYTES + 1))
      expect(await tooLarge.waitClosed()).toBe(1009)
      const run = hub.run('r')
      await run.start(plan)
      fits.send({ v: 1, type: 'subscribe', run: 'r' })
      await fits.waitFor((f) => f.type === 'snapshot')
      expect(fits.closeCode).toBeNull()
    } finally {
      await fits.close()
      await attached.close()
      await closeWss(wss)
      await hub.close()
    }
  })

  it('hub.attach and a larger maxPayload someone set are lowered too, with a console warning', async () => {
    const hub = createProgressHub<IncomingMessage>()
    const wss = await new Promise<WebSocketServer>((resolve) => {
      const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 0 }, () =>
        resolve(server),
      )
    })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const http = createServer()
    try {
      const attached = hub.attach(wss)
      expect(wss.options.maxPayload).toBe(MAX_FRAME_BYTES)
      expect(warn).toHaveBeenCalledTimes(1)
      expect(warn.mock.calls[0]![0]).toContain('from no limit to 65536 bytes')
      const own = attachWebSocket(hub, http, { maxPayload: 10 * 1024 * 1024 })
      expect(own.wss.options.maxPayload).toBe(MAX_FRAME_BYTES)
      expect(warn).toHaveBeenCalledTimes(2)
      const quiet = attachWebSocket(hub, createServer(), { maxPayload: 1000 })
      expect(quiet.wss.options.maxPayload).toBe(1000)
      expect(warn).toHaveBeenCalledTimes(2)
      await Promise.all([attached.close(), own.close(), quiet.close()])
    } finally {
      warn.mockRestore()
      await closeWss(wss)
      await hub.close()
    }
  })
})

describe('sockets the hub closes', () => {
  it('a flood of junk frames ends in 1008 and the socket is gone; a good client on the same hub gets every event', async () => {
    const hub = createProgressHub<IncomingMessage>({ refusalBurst: 20, refusalsPerSecond: 0 })
    const wss = await listening()
    const attached = attachWebSocket(hub, wss, { onWarning: () => {} })
    const good = await connectClient(urlOf(wss))
    const flooder = await connectClient(urlOf(wss))
    try {
      const run = hub.run('r')
      await run.start(plan)
      good.send({ v: 1, type: 'subscribe', run: 'r' })
      await good.waitFor((f) => f.type === 'snapshot')
      for (let i = 0; i < 5000; i++) flooder.send(`junk ${i}`)
      expect(await flooder.waitClosed()).toBe(1008)
      expect(flooder.frames.filter((f) => f.type === 'error')).toHaveLength(20)
      await run.phaseStarted('search')
      await good.until(() => seqsOf(good.frames, 'r').at(-1) === 2)
      await vi.waitFor(() => expect(hub.metrics()).toMatchObject({ connections: 1, policyCloses: 1 }))
      // Paused at 1008 and destroyed once the close grace is over, whatever the flooder does.
      await vi.waitFor(() => expect(wss.clients.size).toBe(1), { timeout: 5000 })
    } finally {
      await good.close()
      await flooder.close()
      await attached.close()
      await closeWss(wss)
      await hub.close()
    }
  })
})
