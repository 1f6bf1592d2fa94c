import type { AddressInfo } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { applyEvent, createRunState } from '../../../src/core/applyEvent'
import { decodeClientFrame, encodeFrame } from '../../../src/protocol/codec'
import type { RunEvent, RunState } from '../../../src/protocol/types'

/** The ways a fake backend can break the protocol (none: it conforms). */
export type Fault =
  | 'none'
  | 'hole'
  | 'snapshot-wrong'
  | 'no-subscribed'
  | 'slow-heartbeat'
  | 'wrong-head'
  | 'ignores-bad-frames'
  | 'replays-from-start'
  | 'stale-epoch-replay'
  | 'big-frames'
  | 'binary-ok'
  | 'ignores-unsubscribe'
  | 'bad-log'

export const RUN = 'fake-run'
const EPOCH = 'fake-epoch-1'
const plan = [
  { id: 'search', label: 'Search', weight: 3 },
  { id: 'write', label: 'Write', weight: 1 },
]
type Body = Record<string, unknown> & { type: string }
const BODIES: Body[] = [
  { type: 'run_started', plan, title: 'Fake' },
  { type: 'phase_started', phase: 'search' },
  ...[1, 2, 3, 4].map((done) => ({ type: 'phase_progress', phase: 'search', done, total: 4 })),
  { type: 'tool_executing', call: 'c1', tool: 'web' },
  { type: 'tool_completed', call: 'c1', tool: 'web', ok: true },
  { type: 'phase_completed', phase: 'search' },
  { type: 'phase_started', phase: 'write' },
  { type: 'agent_thinking', agent: 'writer', text: 'drafting' },
  { type: 'phase_completed', phase: 'write' },
  { type: 'run_completed' },
]

/**
 * A small protocol server written from the spec (not the kit's hub), serving one finished run of 13 events over
 * a real `ws` server on 127.0.0.1: correct with `fault: 'none'`, and broken in one named way otherwise.
 */
export async function startFakeBackend(fault: Fault, heartbeatMs = 400) {
  const bodies = BODIES.map((body) => ({ ...body }))
  // A log that breaks a phase rule: progress that goes backward.
  if (fault === 'bad-log') bodies[4] = { type: 'phase_progress', phase: 'search', done: 0, total: 4 }
  const log: RunEvent[] = bodies.map(
    (body, i) => ({ ...body, v: 1, run: RUN, epoch: EPOCH, seq: i + 1, ts: 1_000 + i }) as RunEvent,
  )
  const head = log.length
  let state: RunState = createRunState()
  for (const event of log) state = applyEvent(state, event).state
  const text = (frame: object) => encodeFrame(frame as never)

  const snapshot = () => {
    let shown = state
    if (fault === 'snapshot-wrong') {
      shown = {
        ...state,
        phases: state.phases.map((p, i) => (i === 0 ? { ...p, done: (p.done ?? 0) - 1 } : p)),
      }
    }
    const frame: Record<string, unknown> = {
      v: 1,
      type: 'snapshot',
      run: RUN,
      epoch: EPOCH,
      seq: head,
      ts: 5_000,
      state: shown,
    }
    if (fault === 'big-frames') frame.padding = 'x'.repeat(70 * 1024)
    return text(frame)
  }

  function answer(socket: WebSocket, run: string, epoch?: string, after?: number) {
    if (run !== RUN) {
      if (fault !== 'no-subscribed')
        socket.send(text({ v: 1, type: 'subscribed', run, head: 0, heartbeatMs }))
      return
    }
    if (fault !== 'no-subscribed')
      socket.send(text({ v: 1, type: 'subscribed', run, head, epoch: EPOCH, heartbeatMs }))
    const sameEpoch = epoch === EPOCH || (fault === 'stale-epoch-replay' && epoch !== undefined)
    if (sameEpoch && after !== undefined && after <= head) {
      const from = fault === 'replays-from-start' ? 0 : after
      for (const event of log.slice(from)) {
        if (fault === 'hole' && event.seq === 7) continue
        socket.send(text(event))
      }
      return
    }
    socket.send(snapshot())
  }

  const wss = await new Promise<WebSocketServer>((resolve) => {
    const server: WebSocketServer = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(server))
  })
  const timers = new Set<ReturnType<typeof setInterval>>()
  wss.on('connection', (socket) => {
    const following = new Set<string>()
    const unsubscribed = new Set<string>()
    const beat = setInterval(
      () => {
        for (const run of new Set([...following, ...(fault === 'ignores-unsubscribe' ? unsubscribed : [])])) {
          const known = run === RUN
          const reported = fault === 'wrong-head' && known ? head + 1 : known ? head : 0
          socket.send(
            text({
              v: 1,
              type: 'heartbeat',
              run,
              head: reported,
              ts: Date.now(),
              ...(known ? { epoch: EPOCH } : {}),
            }),
          )
        }
      },
      fault === 'slow-heartbeat' ? heartbeatMs * 4 : heartbeatMs,
    )
    timers.add(beat)
    socket.on('close', () => {
      clearInterval(beat)
      timers.delete(beat)
    })
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const decoded = decodeClientFrame(isBinary && fault !== 'binary-ok' ? null : data.toString('utf8'))
      if (!decoded.ok) {
        if (fault !== 'ignores-bad-frames')
          socket.send(text({ v: 1, type: 'error', code: 'bad_frame', message: decoded.error.detail }))
        return
      }
      const frame = decoded.frame
      if (frame.type === 'unsubscribe') {
        following.delete(frame.run)
        unsubscribed.add(frame.run)
        return
      }
      following.add(frame.run)
      answer(socket, frame.run, frame.epoch, frame.after)
    })
  })
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    async close() {
      for (const timer of timers) clearInterval(timer)
      for (const socket of wss.clients) socket.terminate()
      await new Promise((resolve) => wss.close(resolve))
    },
  }
}
