// @vitest-environment node
import { WebSocket } from 'ws'
import { applyEvent, createRunState } from '../../src/core/applyEvent'
import { decodeFrame } from '../../src/protocol/codec'
import type { RunState } from '../../src/protocol/types'
import { post, type ServeProcess, startServe } from '../gateway/startServe'
import { plan } from '../server/wire'
import { type RedisServer, startRedis } from '../support/redisServer'

const KEY = 'scale-out-key'
const auth = { authorization: `Bearer ${KEY}` }
const RUN = 'scale'
const BATCHES = 60
const PER_BATCH = 4

let redis: RedisServer
const instances: ServeProcess[] = []

beforeAll(async () => {
  redis = await startRedis(['--appendonly', 'yes'])
  const args = [
    '--redis',
    redis.url,
    '--publish-key',
    KEY,
    '--heartbeat',
    '200ms',
    '--ping',
    '30s',
    '--publish-rate',
    '0',
  ]
  instances.push(...(await Promise.all([0, 1, 2].map(() => startServe(args, { timeoutMs: 30_000 })))))
}, 60_000)
afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop('SIGKILL')))
  await redis?.dispose()
})

const alive = () =>
  instances.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null)

/**
 * A viewer that keeps a run's state as a client does (snapshot, then events in seq order) and hops from
 * instance to instance, resuming from its position each time; it records any gap or repeated seq.
 */
function bouncingViewer() {
  let state: RunState = createRunState()
  const position = { epoch: undefined as string | undefined, seq: 0 }
  const problems: string[] = []
  const snapshots: number[] = []
  let socket: WebSocket | null = null
  let stopped = false
  let hops = 0
  let resumes = 0

  function connect() {
    if (stopped) return
    const targets = alive()
    const target = targets[hops++ % targets.length]!
    const ws = new WebSocket(target.ws)
    socket = ws
    ws.on('open', () => {
      if (position.epoch) resumes++
      const resume = position.epoch ? { epoch: position.epoch, after: position.seq } : {}
      ws.send(JSON.stringify({ v: 1, type: 'subscribe', run: RUN, ...resume }))
    })
    ws.on('message', (data) => {
      const result = decodeFrame(data)
      if (!result.ok) return problems.push(`invalid frame: ${result.error.detail}`)
      const frame = result.frame as {
        type: string
        run?: string
        epoch?: string
        seq?: number
        state?: RunState
      }
      if (frame.run !== RUN) return
      if (frame.type === 'snapshot') {
        if (position.epoch !== undefined && frame.epoch !== position.epoch)
          problems.push(`epoch changed to ${frame.epoch}`)
        if (frame.epoch === position.epoch && frame.seq! < position.seq) problems.push(`snapshot went back`)
        state = frame.state!
        position.epoch = frame.epoch
        position.seq = frame.seq!
        snapshots.push(frame.seq!)
      } else if (typeof frame.seq === 'number' && frame.epoch !== undefined) {
        if (frame.epoch !== position.epoch && position.epoch !== undefined)
          problems.push('event of another epoch')
        if (frame.seq <= position.seq) return problems.push(`seq ${frame.seq} again`)
        if (frame.seq !== position.seq + 1) problems.push(`seq ${frame.seq} after ${position.seq}`)
        const applied = applyEvent(state, frame as never)
        if (applied.rejected) problems.push(`seq ${frame.seq} refused: ${applied.rejected}`)
        state = applied.state
        position.epoch = frame.epoch
        position.seq = frame.seq
      }
    })
    // Closed by us (a hop) or by a dying instance: either way resume on another.
    ws.on('close', () => setTimeout(connect, 20))
    ws.on('error', () => {})
  }
  connect()
  return {
    position,
    problems,
    snapshots,
    state: () => state,
    resumes: () => resumes,
    hop() {
      socket?.close()
    },
    stop() {
      stopped = true
      socket?.removeAllListeners('close')
      socket?.terminate()
    },
  }
}

/** Posts a batch to an instance that answers, as a producer behind a load balancer would (retrying elsewhere). */
async function publish(
  events: object[],
  key: string,
  first: number,
): Promise<{ epoch: string; seq: number }> {
  for (let attempt = 0; ; attempt++) {
    const targets = alive()
    const target = targets[(first + attempt) % targets.length]!
    try {
      const answer = await post(target.base, RUN, { events }, { ...auth, 'idempotency-key': key })
      if (answer.status === 200) return answer.body as { epoch: string; seq: number }
      if (attempt > 20) throw new Error(`publish failed: ${answer.status} ${JSON.stringify(answer.body)}`)
    } catch (error) {
      if (attempt > 20) throw error
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('three gateways on one Redis', { timeout: 120_000 }, () => {
  it('publishers on different instances, viewers hopping between them, one instance killed -9: every viewer ends with the log applied in order, nothing lost or repeated', async () => {
    await publish([{ type: 'run_started', plan, title: 'Scale' }], 'start', 0)
    const viewers = Array.from({ length: 6 }, () => bouncingViewer())
    // Two producers post to different instances at once; the store numbers their batches in one sequence.
    const producer = async (lane: number) => {
      for (let b = lane; b < BATCHES; b += 2) {
        const events = Array.from({ length: PER_BATCH }, (_, i) => ({
          type: 'task_progress',
          phase: 'search',
          task: `t${b}-${i}`,
          done: 1,
          total: 1,
        }))
        await publish(events, `batch-${b}`, b)
        if (b % 6 === lane) viewers[b % viewers.length]!.hop()
        if (b === 30) await instances[2]!.stop('SIGKILL')
      }
    }
    await Promise.all([producer(0), producer(1)])
    const last = await publish([{ type: 'run_completed' }], 'end', 0)
    expect(last.seq).toBe(1 + BATCHES * PER_BATCH + 1)

    const deadline = Date.now() + 30_000
    while (viewers.some((viewer) => viewer.position.seq !== last.seq) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const final = await fetch(`${alive()[0]!.base}/v1/runs/${RUN}`, { headers: auth })
    const stored = (await final.json()) as { epoch: string; seq: number; state: RunState }
    expect(instances[2]!.child.signalCode).toBe('SIGKILL')
    expect(viewers.reduce((sum, viewer) => sum + viewer.resumes(), 0)).toBeGreaterThanOrEqual(viewers.length)
    for (const viewer of viewers) {
      viewer.stop()
      expect(viewer.problems).toEqual([])
      // A resume may be answered by a snapshot (the hub's replay-or-snapshot rule), never one that goes back.
      expect(viewer.snapshots.every((seq, i) => i === 0 || seq >= viewer.snapshots[i - 1]!)).toBe(true)
      expect(viewer.position).toEqual({ epoch: last.epoch, seq: last.seq })
      expect(viewer.state().status).toBe('completed')
      expect(viewer.state().phases).toEqual(stored.state.phases)
    }
    expect(stored).toMatchObject({ epoch: last.epoch, seq: last.seq })
    // Resumes on other instances were served from the shared log.
    const health = await Promise.all(
      alive().map(async (instance) => (await fetch(`${instance.base}/healthz`)).json()),
    )
    expect(health.reduce((sum, h) => sum + (h as { replays: number }).replays, 0)).toBeGreaterThan(0)
    // A retry of a batch on another instance gets the first answer, not a second append.
    const again = await post(
      alive()[1]!.base,
      RUN,
      { events: [{ type: 'run_completed' }] },
      {
        ...auth,
        'idempotency-key': 'end',
      },
    )
    expect(again.body).toEqual(last)
  })
})
