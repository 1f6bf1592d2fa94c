/**
 * The floor under the hostile bench's connections row: the longest event-loop stall of a server with no hub at all
 * (a bare `net` server, a bare `ws` server) when 2,000 loopback sockets opened 100 at a time are cut in the same
 * millisecond, beside the same `ws` server with the hub's hang-up queue. Node hands every hang-up that one poll
 * returns to JavaScript in one turn of its loop; the queue moves the closing out of that turn, a slice per turn.
 * Run: `node --import tsx bench/hostile/closeFloor.ts [trials]`
 */
import { fork } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { WebSocket, WebSocketServer } from 'ws'
import { createHangupQueue, HANGUP_SLICE, type HangupSocket } from '../../src/server/createHangupQueue'
import { summarize } from '../measure'
import { describeStall, type Stall, watchStalls } from './stallWatch'
import { sleep } from './wsAttacker'

type Kind = 'net' | 'ws' | 'ws+queue'
const KINDS: Kind[] = ['net', 'ws', 'ws+queue']
const SOCKETS = 2_000

/** The server side, in its own process: its longest stall, watched as the hostile bench watches the hub's. */
function serve(kind: Kind) {
  let open = 0
  const stalls = watchStalls(() => open)
  // The watch's timer is unref'd; the server's listening socket keeps this process up until it is killed.
  const ready = (port: number) => process.send?.({ port })
  if (kind === 'net') {
    const server = net.createServer((socket) => {
      open++
      socket.on('data', () => socket.write('{"type":"snapshot"}'))
      socket.on('error', () => {})
      socket.on('close', () => open--)
    })
    server.listen(0, '127.0.0.1', () => ready((server.address() as net.AddressInfo).port))
  } else {
    const hangups = createHangupQueue({ slice: HANGUP_SLICE, schedule: (fn) => setTimeout(fn, 0) })
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false })
    wss.on('listening', () => ready((wss.address() as net.AddressInfo).port))
    wss.on('connection', (socket) => {
      open++
      if (kind === 'ws+queue') hangups.watch((socket as unknown as { _socket: HangupSocket })._socket)
      socket.on('message', () => socket.send('{"type":"snapshot"}'))
      socket.on('close', () => open--)
    })
  }
  process.on('message', (message) => {
    if (message === 'reset') stalls.reset()
    else process.send?.(stalls.longest())
  })
}

/** Opens one client socket of `kind` that has sent its first frame; resolves with how to cut it. */
function connect(kind: Kind, port: number): Promise<() => void> {
  return new Promise((resolve) => {
    if (kind === 'net') {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write('{"type":"subscribe"}')
        resolve(() => socket.destroy())
      })
      socket.on('error', () => {})
      return
    }
    const socket = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false })
    socket.on('error', () => {})
    socket.on('open', () => {
      socket.send('{"type":"subscribe"}')
      resolve(() => socket.terminate())
    })
  })
}

async function trial(kind: Kind): Promise<Stall> {
  const server = fork(fileURLToPath(import.meta.url), ['serve', kind], { execArgv: ['--import', 'tsx'] })
  const next = <T>() => new Promise<T>((resolve) => server.once('message', (m) => resolve(m as T)))
  const { port } = await next<{ port: number }>()
  const cuts: (() => void)[] = []
  for (let i = 0; i < SOCKETS; i += 100)
    cuts.push(...(await Promise.all(Array.from({ length: 100 }, () => connect(kind, port)))))
  await sleep(1000)
  server.send('reset')
  for (const cut of cuts) cut()
  await sleep(1500)
  server.send('report')
  const result = await next<Stall>()
  server.kill()
  return result
}

if (process.argv[2] === 'serve') serve(process.argv[3] as Kind)
else {
  const trials = Number(process.argv[2] ?? 5)
  console.log(`Longest event-loop stall of a server with no hub when ${SOCKETS} sockets are cut at once:`)
  const ratios: number[] = []
  for (let i = 0; i < trials; i++) {
    const stalls = new Map<Kind, Stall>()
    // Rotated each trial, so neither kind always runs on a warmer (or busier) machine.
    for (const kind of [...KINDS.slice(i % KINDS.length), ...KINDS.slice(0, i % KINDS.length)]) {
      stalls.set(kind, await trial(kind))
      console.log(`bare ${kind}: ${describeStall(stalls.get(kind)!)}`)
    }
    ratios.push(stalls.get('ws')!.ms / Math.max(1, stalls.get('ws+queue')!.ms))
  }
  const { median, min, max } = summarize(ratios)
  console.log(
    `ws / ws+queue, longest stall: median ${median.toFixed(1)}× (${min.toFixed(1)}–${max.toFixed(1)}×)`,
  )
}
