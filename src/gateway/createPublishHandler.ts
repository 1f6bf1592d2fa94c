import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ProgressHub } from '../server/createProgressHub'
import type { EventInput } from '../server/createRunRecord'
import type { PublishError } from '../server/PublishError'
import { checkInputs } from '../server/stageEvents'
import { checkBearer } from './checkBearer'
import type { GatewayMetrics } from './createGatewayMetrics'
import type { IdempotencyStore, StoredAnswer } from './createIdempotencyStore'
import type { RateBudget } from './createRateBudget'
import { GATEWAY_DEFAULTS } from './gatewayOptions'
import { type ApiError, replyJson } from './httpReply'
import { readBody } from './readBody'

export interface PublishContext {
  hub: ProgressHub<IncomingMessage>
  publishKey: string | undefined
  budget: RateBudget
  store: IdempotencyStore
  idempotencyMs: number
  metrics: GatewayMetrics
  headers: Record<string, string>
}

const fail = (status: number, error: ApiError, headers?: Record<string, string>) => ({
  status,
  body: { error },
  headers,
})
type Answer = StoredAnswer & { headers?: Record<string, string> | undefined; replayed?: boolean }

/** The refusal of an event the hub would not stage: 413 for size, 409 for a phase rule, 400 otherwise. */
function refusal(error: PublishError, index: number): Answer {
  const message = error.message
  if (error.reason === 'frame_too_large') return fail(413, { code: 'too_large', index, message })
  if (error.reason === 'invalid_event') return fail(400, { code: 'invalid', index, message })
  if (error.reason === 'hub_closed' || error.reason === 'store_unavailable') {
    return fail(503, { code: 'unavailable', message }, { 'retry-after': '1' })
  }
  return fail(409, { code: 'rejected', reason: error.reason, index, message })
}

/** Parses `{"events": [...]}` within PROTOCOL's limits. */
function parseBatch(text: string): EventInput[] | Answer {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return fail(400, { code: 'invalid', message: 'the body is not JSON' })
  }
  const events = (body as { events?: unknown } | null)?.events
  if (!Array.isArray(events)) {
    return fail(400, { code: 'invalid', message: 'the body must be {"events": [...]}' })
  }
  if (events.length === 0) return fail(400, { code: 'invalid', message: 'no events' })
  if (events.length > GATEWAY_DEFAULTS.maxBatchEvents) {
    const message = `at most ${GATEWAY_DEFAULTS.maxBatchEvents} events per request, got ${events.length}`
    return fail(413, { code: 'too_large', message })
  }
  return events as EventInput[]
}

/** Everything after authentication and the idempotency look-up: read, check, budget, publish. */
async function publish(
  ctx: PublishContext,
  request: IncomingMessage,
  runId: string,
  idempotencyKey?: string,
): Promise<Answer> {
  const body = await readBody(request, GATEWAY_DEFAULTS.maxBodyBytes)
  if (!body.ok) {
    if (body.reason === 'aborted') return fail(400, { code: 'invalid', message: 'the body was cut short' })
    return fail(413, {
      code: 'too_large',
      message: `the body is over ${GATEWAY_DEFAULTS.maxBodyBytes} bytes`,
    })
  }
  const events = parseBatch(body.text)
  if (!Array.isArray(events)) return events
  const bad = checkInputs(runId, events)
  if (bad) return refusal(bad.error, bad.index)
  const waitMs = ctx.budget.take(runId, events.length)
  if (waitMs > 0) {
    const message = `over the publish budget of this run: retry in ${waitMs} ms`
    return fail(429, { code: 'rate_limited', message }, { 'retry-after': String(Math.ceil(waitMs / 1000)) })
  }
  let result: Awaited<ReturnType<ReturnType<ProgressHub['run']>['publishPrefix']>>
  try {
    // With Redis the key also goes into the append itself: a batch appended by an instance that died before it
    // answered is not appended again when the retry reaches another instance.
    const options =
      idempotencyKey === undefined ? undefined : { idempotencyKey, idempotencyMs: ctx.idempotencyMs }
    result = await ctx.hub.run(runId).publishPrefix(events, options)
  } catch (error) {
    return refusal(error as PublishError, 0)
  }
  ctx.metrics.published(result.applied)
  if (result.replayed) return { status: 200, body: { epoch: result.epoch, seq: result.seq }, replayed: true }
  if (!result.refused) return { status: 200, body: { epoch: result.epoch, seq: result.seq } }
  const answer = refusal(result.refused.error, result.refused.index)
  // What was applied before the refusal: the producer resumes from here.
  answer.body = { ...(answer.body as object), epoch: result.epoch, seq: result.seq }
  return answer
}

/** Answers a retry applied nothing anew, so only answers after which the log changed are kept: 200 and 409. */
const keeps = (status: number) => status === 200 || status === 409

/**
 * `POST /v1/runs/{run}/events` (PROTOCOL v1.1 D): bearer publish key, optional `Idempotency-Key`, a batch of
 * at most 256 events (1 MiB) applied up to the first refusal, answered `{epoch, seq}` or a JSON error.
 * @example
 * const publish = createPublishHandler(ctx)
 * await publish(request, response, 'report-42')
 */
export function createPublishHandler(ctx: PublishContext) {
  // Retries that arrive while the first attempt is still running wait for its answer.
  const inFlight = new Map<string, Promise<Answer>>()

  function send(response: ServerResponse, answer: Answer, extra: Record<string, string> = {}) {
    const error = (answer.body as { error?: ApiError }).error
    if (error) ctx.metrics.refused(error.code, error.reason)
    replyJson(response, answer.status, answer.body, { ...ctx.headers, ...answer.headers, ...extra })
  }

  function replay(request: IncomingMessage, response: ServerResponse, answer: Answer) {
    request.resume()
    ctx.metrics.replayed()
    send(response, { status: answer.status, body: answer.body }, { 'idempotent-replayed': 'true' })
  }

  return async (request: IncomingMessage, response: ServerResponse, runId: string): Promise<void> => {
    if (ctx.publishKey !== undefined) {
      const verdict = checkBearer(request.headers.authorization, ctx.publishKey)
      if (verdict !== 'ok') {
        request.resume()
        const status = verdict === 'missing' ? 401 : 403
        const message = verdict === 'missing' ? 'Authorization: Bearer <publish key> required' : 'wrong key'
        const answer = fail(status, { code: verdict === 'missing' ? 'unauthorized' : 'forbidden', message })
        return send(response, answer, status === 401 ? { 'www-authenticate': 'Bearer' } : {})
      }
    }
    if (runId.length < 1 || runId.length > 128) {
      request.resume()
      return send(response, fail(400, { code: 'invalid', message: 'run id must be 1–128 characters' }))
    }
    const header = request.headers['idempotency-key']
    const idempotencyKey = typeof header === 'string' && header.length > 0 ? header.slice(0, 256) : null
    if (idempotencyKey === null) return send(response, await publish(ctx, request, runId))

    const key = `${runId}\n${idempotencyKey}`
    // Wait for whichever attempt holds the key; one that applied nothing (429, 400) lets the next one try.
    for (let pending = inFlight.get(key); pending; pending = inFlight.get(key)) {
      const earlier = await pending
      if (keeps(earlier.status)) return replay(request, response, earlier)
      if (inFlight.get(key) === pending) break
    }
    // Registered before any await: two copies of one request in the same tick cannot both publish.
    const attempt = (async (): Promise<Answer> => {
      const stored = await ctx.store.get(key)
      if (stored) return { ...stored, replayed: true }
      const answer = await publish(ctx, request, runId, idempotencyKey)
      if (keeps(answer.status)) {
        await ctx.store.set(key, { status: answer.status, body: answer.body }, ctx.idempotencyMs)
      }
      return answer
    })()
    inFlight.set(key, attempt)
    try {
      const answer = await attempt
      if (answer.replayed) return replay(request, response, answer)
      send(response, answer)
    } finally {
      if (inFlight.get(key) === attempt) inFlight.delete(key)
    }
  }
}
