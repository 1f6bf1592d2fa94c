// @vitest-environment node
import { applyEvent, createRunState } from '../../src/core/applyEvent'
import type { RunState, SequencedFrame } from '../../src/protocol/types'
import { connectClient, plan, seqsOf } from '../server/wire'
import { post, type ServeProcess, startServe } from './startServe'

const KEY = 'test-publish-key'
const auth = { authorization: `Bearer ${KEY}` }
let serve: ServeProcess

beforeAll(async () => {
  serve = await startServe([
    '--publish-key',
    KEY,
    '--heartbeat',
    '200ms',
    '--ping',
    '30s',
    '--publish-rate',
    '0',
  ])
}, 20_000)
afterAll(async () => {
  await serve?.stop()
})

// Child processes on a shared machine: generous timeouts; short heartbeats keep the tests quick, and pings
// (--ping 30s) stay out of the way of a test process too busy with its own load to answer them in time.
describe('live-progress serve: the HTTP publish API', { timeout: 60_000 }, () => {
  it('stamps a batch, answers the last event’s epoch and seq, and serves it to viewers and GET', async () => {
    const viewer = await connectClient(serve.ws)
    viewer.send({ v: 1, type: 'subscribe', run: 'batch' })
    // Subscribed before the first POST, so its events come live (a later subscribe gets a snapshot).
    await viewer.until(() => viewer.acks.some((ack) => 'run' in ack && ack.run === 'batch'))
    const answer = await post(
      serve.base,
      'batch',
      {
        events: [
          { type: 'run_started', plan, title: 'Report' },
          { type: 'phase_started', phase: 'search' },
          { type: 'task_progress', phase: 'search', task: 'arxiv', done: 1, total: 4 },
        ],
      },
      auth,
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toEqual({ epoch: expect.any(String), seq: 3 })
    await viewer.until(() => seqsOf(viewer.frames, 'batch').length === 3)
    expect(seqsOf(viewer.frames, 'batch')).toEqual([1, 2, 3])
    const got = await fetch(`${serve.base}/v1/runs/batch`, { headers: auth })
    expect(got.status).toBe(200)
    const run = (await got.json()) as { epoch: string; seq: number; state: RunState }
    expect(run).toMatchObject({
      epoch: answer.body.epoch,
      seq: 3,
      state: { status: 'running', title: 'Report' },
    })
    expect(run.state.phases[0]).toMatchObject({ id: 'search', status: 'active', done: 1, total: 4 })
    expect((await fetch(`${serve.base}/v1/runs/nobody`, { headers: auth })).status).toBe(404)
    await viewer.close()
  })

  it('refuses without the key (401) or with a wrong one (403), and appends nothing', async () => {
    const body = { events: [{ type: 'run_started', plan }] }
    const missing = await post(serve.base, 'auth', body)
    expect(missing.status).toBe(401)
    expect(missing.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } })
    const wrong = await post(serve.base, 'auth', body, { authorization: 'Bearer nope' })
    expect(wrong.status).toBe(403)
    expect(wrong.body.error).toMatchObject({ code: 'forbidden' })
    expect((await fetch(`${serve.base}/v1/runs/auth`, { headers: auth })).status).toBe(404)
  })

  it('answers 409 with the rule and the refused index: the events before it stand, none after', async () => {
    const viewer = await connectClient(serve.ws)
    viewer.send({ v: 1, type: 'subscribe', run: 'rule' })
    // Subscribed before the first POST, so its events come live (a later subscribe gets a snapshot).
    await viewer.until(() => viewer.acks.some((ack) => 'run' in ack && ack.run === 'rule'))
    const answer = await post(
      serve.base,
      'rule',
      {
        events: [
          { type: 'run_started', plan },
          { type: 'phase_progress', phase: 'search', done: 5, total: 10 },
          { type: 'phase_progress', phase: 'search', done: 4, total: 10 },
          { type: 'phase_progress', phase: 'search', done: 9, total: 10 },
        ],
      },
      auth,
    )
    expect(answer.status).toBe(409)
    expect(answer.body.error).toEqual({
      code: 'rejected',
      reason: 'done_decreased',
      index: 2,
      message: expect.stringContaining('done_decreased'),
    })
    expect(answer.body).toMatchObject({ seq: 2 })
    await viewer.until(() => seqsOf(viewer.frames, 'rule').length === 2)
    const state = (await (await fetch(`${serve.base}/v1/runs/rule`, { headers: auth })).json()) as {
      seq: number
      state: RunState
    }
    expect(state.seq).toBe(2)
    expect(state.state.phases[0]).toMatchObject({ done: 5 })
    await viewer.close()
  })

  it('answers 400 for bad JSON, a bad shape or an invalid event (with its index), applying nothing', async () => {
    expect((await post(serve.base, 'bad', '{nope', auth)).status).toBe(400)
    expect((await post(serve.base, 'bad', { event: [] }, auth)).body.error).toMatchObject({ code: 'invalid' })
    expect((await post(serve.base, 'bad', { events: [] }, auth)).status).toBe(400)
    const invalid = await post(
      serve.base,
      'bad',
      {
        events: [
          { type: 'run_started', plan },
          { type: 'phase_progress', phase: 'search', done: 3, total: 2 },
        ],
      },
      auth,
    )
    expect(invalid.status).toBe(400)
    expect(invalid.body.error).toMatchObject({ code: 'invalid', index: 1 })
    const snapshot = await post(
      serve.base,
      'bad',
      { events: [{ type: 'snapshot', state: createRunState() }] },
      auth,
    )
    expect(snapshot.body.error).toMatchObject({ code: 'invalid', index: 0 })
    expect((await fetch(`${serve.base}/v1/runs/bad`, { headers: auth })).status).toBe(404)
  })

  it('answers 413 for more than 256 events or a body over 1 MiB', async () => {
    const many = Array.from({ length: 257 }, () => ({ type: 'queued', position: 1 }))
    expect((await post(serve.base, 'big', { events: many }, auth)).status).toBe(413)
    const huge = { events: [{ type: 'run_started', plan, title: 'x'.repeat(1024 * 1024) }] }
    const answer = await post(serve.base, 'big', huge, auth)
    expect(answer.status).toBe(413)
    expect(answer.body.error).toMatchObject({ code: 'too_large' })
  })

  it('appends a retried POST with the same Idempotency-Key once and answers it the same', async () => {
    const body = {
      events: [
        { type: 'run_started', plan },
        { type: 'phase_started', phase: 'search' },
      ],
    }
    const headers = { ...auth, 'idempotency-key': 'job-7-step-1' }
    // Two copies in flight at once, then a late retry.
    const [first, second] = await Promise.all([
      post(serve.base, 'idem', body, headers),
      post(serve.base, 'idem', body, headers),
    ])
    const third = await post(serve.base, 'idem', body, headers)
    expect(first.status).toBe(200)
    expect(second.body).toEqual(first.body)
    expect(third.body).toEqual(first.body)
    expect(third.headers.get('idempotent-replayed')).toBe('true')
    const next = await post(
      serve.base,
      'idem',
      { events: [{ type: 'phase_completed', phase: 'search' }] },
      auth,
    )
    expect(next.body).toMatchObject({ seq: 3 })
    // The same key on another run is another request.
    expect((await post(serve.base, 'idem-2', body, headers)).body).toMatchObject({ seq: 2 })
  })

  it('serialises 200 concurrent POSTs from 20 workers onto one run like in-process calls', async () => {
    const viewer = await connectClient(serve.ws)
    viewer.send({ v: 1, type: 'subscribe', run: 'storm' })
    // Subscribed before the first POST, so its events come live (a later subscribe gets a snapshot).
    await viewer.until(() => viewer.acks.some((ack) => 'run' in ack && ack.run === 'storm'))
    expect((await post(serve.base, 'storm', { events: [{ type: 'run_started', plan }] }, auth)).status).toBe(
      200,
    )
    const workers = Array.from({ length: 20 }, async (_, w) => {
      const seqs: number[] = []
      for (let done = 1; done <= 10; done++) {
        const event = { type: 'task_progress', phase: 'search', task: `w${w}`, done, total: 10 }
        const answer = await post(serve.base, 'storm', { events: [event] }, auth)
        expect(answer.status).toBe(200)
        seqs.push(answer.body.seq as number)
      }
      return seqs
    })
    const perWorker = await Promise.all(workers)
    expect(perWorker.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 2))
    for (const seqs of perWorker) expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
    await viewer.until(() => seqsOf(viewer.frames, 'storm').length === 201, 20_000)
    expect(seqsOf(viewer.frames, 'storm')).toEqual(Array.from({ length: 201 }, (_, i) => i + 1))
    let rebuilt = createRunState()
    for (const frame of viewer.frames) {
      if ('seq' in frame && frame.run === 'storm')
        rebuilt = applyEvent(rebuilt, frame as SequencedFrame).state
    }
    expect(rebuilt.phases[0]).toMatchObject({ status: 'active', done: 200, total: 200 })
    await viewer.close()
  })

  it('serves /healthz, /metrics in Prometheus text, CORS-free 404s and 405s', async () => {
    const health = await fetch(`${serve.base}/healthz`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true })
    const metrics = await (await fetch(`${serve.base}/metrics`)).text()
    expect(metrics).toMatch(/^live_progress_hub_events_total \d+$/m)
    expect(metrics).toMatch(/^live_progress_hub_connections \d+$/m)
    expect(metrics).toMatch(
      /^live_progress_http_requests_total\{route="publish",method="POST",status="200"\} \d+$/m,
    )
    expect(metrics).toMatch(
      /^live_progress_http_request_duration_seconds_bucket\{le="0\.005",route="publish",method="POST"\}/m,
    )
    expect(metrics).toMatch(
      /^live_progress_publish_refusals_total\{code="rejected",reason="done_decreased"\} 1$/m,
    )
    expect((await fetch(`${serve.base}/nowhere`)).status).toBe(404)
    expect((await fetch(`${serve.base}/v1/runs/x/events`)).status).toBe(405)
  })

  it('sends heartbeats at the --heartbeat period', async () => {
    const viewer = await connectClient(serve.ws)
    viewer.send({ v: 1, type: 'subscribe', run: 'batch' })
    await viewer.until(() => viewer.frames.filter((f) => f.type === 'heartbeat').length >= 2, 3000)
    await viewer.close()
  })
})
