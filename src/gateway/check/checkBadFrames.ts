import { MAX_FRAME_BYTES } from '../../protocol/types'
import type { Findings } from './createFindings'
import type { RunLog } from './createRunLog'
import type { Probe } from './openProbe'
import { readAnswer } from './readAnswer'
import type { Rule } from './rules'

interface BadFramesContext {
  run: string
  open(label: string): Promise<Probe>
  findings: Findings
  log: RunLog
  timeoutMs: number
}

/** Closes that also answer bad input (v1.1 decision 6): 1008 policy, 1009 too large. */
const REFUSING_CLOSES = new Set([1008, 1009])

/**
 * Sends invalid frames one connection can get (not JSON, an unknown type, another version, binary, over
 * 64 KiB): each must get `bad_frame` (or a refusing close), and the connection must still serve a subscribe.
 */
export async function checkBadFrames(ctx: BadFramesContext): Promise<void> {
  const { findings, timeoutMs } = ctx
  const probe = await ctx.open('bad frames')
  const cases: [Rule, string, string | Buffer][] = [
    ['bad-frame-error', 'text that is not JSON', 'not json {'],
    ['bad-frame-error', 'an unknown type', JSON.stringify({ v: 1, type: 'warp', run: ctx.run })],
    ['bad-frame-error', 'protocol version 2', JSON.stringify({ v: 2, type: 'subscribe', run: ctx.run })],
    [
      'binary-frame',
      'a binary message',
      Buffer.from(JSON.stringify({ v: 1, type: 'subscribe', run: ctx.run })),
    ],
  ]
  for (const [rule, what, data] of cases) {
    findings.check(rule)
    probe.send(data)
    const answer = await probe.next((frame) => frame.type === 'error', timeoutMs)
    if (probe.closed) {
      if (!REFUSING_CLOSES.has(probe.closed.code)) {
        findings.violate(rule, `${what}: the connection closed with ${probe.closed.code}`)
      }
      return
    }
    if (!answer) findings.violate(rule, `${what}: no error frame within ${timeoutMs} ms`)
    else if (answer.frame?.type === 'error' && answer.frame.code !== 'bad_frame') {
      findings.violate(rule, `${what}: error code "${answer.frame.code}", not "bad_frame"`)
    }
  }
  // The connection still works after bad input.
  findings.check('bad-frame-error')
  probe.skip()
  probe.send({ v: 1, type: 'subscribe', run: ctx.run })
  const again = await readAnswer(probe, ctx.run, {
    findings,
    log: ctx.log,
    label: 'after bad frames',
    timeoutMs,
  })
  if (!again.subscribed && again.frames.length === 0 && !again.error) {
    findings.violate('bad-frame-error', 'after bad frames: a valid subscribe was not answered')
  }
  // Last, as it may end the connection: a frame over 64 KiB.
  findings.check('frame-limit')
  probe.skip()
  const padding = 'x'.repeat(MAX_FRAME_BYTES + 1024)
  probe.send(JSON.stringify({ v: 1, type: 'subscribe', run: ctx.run, padding }))
  const limit = await probe.next(
    (frame) => frame.type === 'error' || ('run' in frame && frame.type === 'subscribed'),
    timeoutMs,
  )
  if (probe.closed) {
    if (!REFUSING_CLOSES.has(probe.closed.code)) {
      findings.violate(
        'frame-limit',
        `a ${padding.length}-byte frame: closed with ${probe.closed.code}, not 1009`,
      )
    }
  } else if (!limit)
    findings.violate('frame-limit', `a ${padding.length}-byte frame: no error within ${timeoutMs} ms`)
  else if (limit.frame?.type !== 'error' || limit.frame.code !== 'bad_frame') {
    findings.violate('frame-limit', `a ${padding.length}-byte frame was accepted (${limit.frame?.type})`)
  }
}
