import { connect } from 'node:net'
import { subscribe } from './floodAttacks'
import { closeAll, openSocket, sleep, type Tally } from './wsAttacker'

/**
 * Readers that stop reading: each follows the `fat-*` runs (snapshots near 64 KiB), stops reading at the TCP
 * level, and asks for their snapshots again every few milliseconds, so the hub's answers pile up in the kernel
 * and then in the hub. The hub must close each with 1013.
 */
export async function slowReaders(tally: Tally, url: string, p: { connections: number; fatRuns: number }) {
  const sockets = await Promise.all(Array.from({ length: p.connections }, () => openSocket(url, tally)))
  for (const socket of sockets) socket?.pause()
  const deadline = Date.now() + 20_000
  for (let round = 0; round < 12 && Date.now() < deadline; round++) {
    for (const socket of sockets) for (let f = 0; f < p.fatRuns; f++) socket?.send(subscribe(`fat-${f}`))
    await sleep(40)
  }
  // Reading again shows how each ended (1013 if the close frame got through before the grace ran out).
  await sleep(3000)
  for (const socket of sockets) socket?.resume()
  await closeAll(sockets, 5000)
}

const protoFrames = [
  '{"v":1,"type":"__proto__","run":"x"}',
  '{"__proto__":{"polluted":1},"v":1,"type":"subscribe","run":"good"}',
  '{"constructor":{"prototype":{"polluted":1}},"v":1,"type":"subscribe","run":"x"}',
  '{"v":1,"type":"subscribe","run":"__proto__"}',
  '{"v":1,"type":"subscribe","run":"constructor","after":1e400}',
]
const malformedFrames = [
  '{"v":1,',
  '[]',
  'null',
  '{"v":2,"type":"subscribe","run":"good"}',
  '{"v":1,"type":"subscribe","run":""}',
  `{"v":1,"type":"subscribe","run":"${'r'.repeat(129)}"}`,
  '{"v":1,"type":"resync","run":"good"}',
  '{"v":1,"type":"subscribe","run":"good","after":-1}',
  '{"v":1,"type":"subscribe","run":"good","after":1.5}',
  '{"v":1,"type":"phase_progress","run":"good","epoch":"e","seq":1,"ts":1,"phase":"w","done":1,"total":1}',
  'x'.repeat(60_000),
]

/**
 * Malformed, binary and prototype-polluting frames (under the refusal budget), then a valid subscribe: each
 * socket must still be served, and nothing in the hub polluted.
 */
export async function malformed(tally: Tally, url: string, p: { connections: number }) {
  let served = 0
  const sockets = await Promise.all(
    Array.from({ length: p.connections }, async () => {
      let answered = false
      const socket = await openSocket(url, tally, (frame) => {
        if (frame.type !== 'snapshot' || answered) return
        answered = true
        served++
      })
      if (!socket) return null
      for (const text of [...malformedFrames, ...protoFrames]) socket.send(text)
      socket.ws.send(Buffer.from(subscribe('good')), { binary: true })
      socket.ws.send(Buffer.from([0xc3, 0x28]), { binary: true })
      socket.send(subscribe('good'))
      return socket
    }),
  )
  for (let i = 0; i < 200 && served < sockets.filter(Boolean).length; i++) await sleep(20)
  await closeAll(sockets, 0)
  return { served }
}

const lookAlikes = [
  'secret-1 ',
  ' secret-1',
  'SECRET-1',
  'Secret-1',
  'secret-1\u0000',
  'secret-1\u200b',
  '\u200bsecret-1',
  'ѕecret-1',
  'secret-1/../good',
  'good/../secret-1',
  'secret-1%00',
]

/** Every way tried to read `secret-1` (forbidden): look-alike ids, resyncs after the refusal, SSE resumes. */
export async function authTricks(tally: Tally, url: string, http: string, p: { rounds: number }) {
  let sseLeaks = 0
  for (let round = 0; round < p.rounds; round++) {
    const socket = await openSocket(url, tally)
    if (!socket) continue
    for (const id of lookAlikes) socket.send(subscribe(id))
    socket.send(subscribe('secret-1'))
    socket.send(subscribe('secret-1', { epoch: 'guess', after: 0 }))
    socket.send({ v: 1, type: 'resync', run: 'secret-1', epoch: 'guess', after: 0 })
    socket.send({ v: 1, type: 'unsubscribe', run: 'secret-1' })
    socket.send(subscribe('secret-1'))
    await sleep(100)
    await closeAll([socket], 0)
    for (const query of ['?run=secret-1', '?run=secret-1&epoch=x&after=0', '?run=%73ecret-1&lastEventId=0']) {
      const text = await readHttp(http, `/sse${query}`, 300, { 'last-event-id': '0' })
      if (text.includes('TOP SECRET') || /event: (snapshot|run_started|agent_thinking)/.test(text)) sseLeaks++
    }
  }
  tally.leaked += sseLeaks
}

/** Reads a raw HTTP response for `ms`, until it ends, or (`statusOnly`) until its status line is in. */
function readHttp(
  base: string,
  path: string,
  ms: number,
  headers: Record<string, string> = {},
  statusOnly = false,
): Promise<string> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\n${extra.join('')}\r\n`)
    })
    let text = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(text)
    }
    socket.setEncoding('utf8')
    socket.on('data', (chunk) => {
      text += chunk
      if (statusOnly && text.includes('\r\n')) done()
    })
    socket.on('end', done)
    socket.on('error', done)
    const timer = setTimeout(done, ms)
  })
}

/** Request targets the SSE handler cannot read or serve: each must get 400. */
export const UNREADABLE = [
  '/%',
  '/sse%zz',
  '//[',
  '//a:99999/sse',
  '/sse?run=',
  `/sse?run=${'r'.repeat(200)}`,
]

/**
 * Server-Sent Events: request targets the handler cannot read (each must get 400), then readers of a noisy run
 * that never read, held for `holdMs` (the hub must end their streams and destroy their sockets meanwhile: the
 * runner watches the hub's side).
 */
export async function sseAttack(http: string, p: { readers: number; holdMs: number }) {
  const statuses: Record<string, number> = {}
  for (const target of UNREADABLE) {
    const status = /^HTTP\/1\.1 (\d{3})/.exec(await readHttp(http, target, 2000, {}, true))?.[1] ?? 'none'
    statuses[status] = (statuses[status] ?? 0) + 1
  }
  const { hostname, port } = new URL(http)
  const readers = Array.from({ length: p.readers }, () => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(`GET /sse?run=noisy HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`),
    )
    socket.pause()
    socket.on('error', () => {})
    return socket
  })
  await sleep(p.holdMs)
  for (const socket of readers) socket.destroy()
  return { statuses }
}

/** `count` connections at once, each following `quiet`; every one must be served. */
export async function manyConnections(tally: Tally, url: string, p: { count: number }) {
  let served = 0
  const sockets = []
  for (let i = 0; i < p.count; i += 100) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(100, p.count - i) }, async () => {
        const socket = await openSocket(url, tally, (frame) => {
          if (frame.type === 'snapshot') served++
        })
        socket?.send(subscribe('quiet'))
        return socket
      }),
    )
    sockets.push(...batch)
  }
  for (let i = 0; i < 500 && served < p.count; i++) await sleep(20)
  await sleep(1000)
  await closeAll(sockets, 0)
  return { served }
}

/** `count` idle connections held for `holdMs` (the runner weighs the hub meanwhile). */
export async function idleConnections(tally: Tally, url: string, p: { count: number; holdMs: number }) {
  const sockets = []
  for (let i = 0; i < p.count; i += 100) {
    sockets.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(100, p.count - i) }, () => openSocket(url, tally)),
      )),
    )
  }
  await sleep(p.holdMs)
  await closeAll(sockets, 0)
}
