import type { HeartbeatFrame, SequencedFrame } from '../../protocol/types'
import type { Findings } from './createFindings'
import type { RunLog } from './createRunLog'
import type { Probe } from './openProbe'

interface LivenessContext {
  url: string
  run: string
  /** The connection that subscribed first and still follows the run. */
  main: Probe
  open(label: string): Promise<Probe>
  findings: Findings
  log: RunLog
  heartbeatMs: number
  timeoutMs: number
  cycles: number
}

/** Timers are late on a busy machine: a gap may pass `heartbeatMs` by this factor plus a constant. */
const slack = (heartbeatMs: number) => heartbeatMs * 1.5 + 150

/**
 * Watches heartbeats for `cycles` periods: the followed run's cadence and head (= the last seq this connection
 * got), and, at the same time, a run with nothing issued (head 0, no epoch) and that unsubscribe stops it.
 */
export async function checkLiveness(ctx: LivenessContext): Promise<void> {
  await Promise.all([watchRun(ctx), watchEmptyRun(ctx)])
}

async function watchRun(ctx: LivenessContext) {
  const { main, run, findings, heartbeatMs } = ctx
  const start = performance.now()
  const startIndex = main.received.length
  await main.wait(heartbeatMs * ctx.cycles + 250)
  if (main.closed)
    return findings.note(`the connection closed (${main.closed.code}) while heartbeats were watched`)
  findings.check('heartbeat-cadence')
  findings.check('heartbeat-head')
  let last = start
  let applied = 0
  // What this connection had applied before the watch started.
  for (const item of main.received.slice(0, startIndex)) {
    const frame = item.frame
    if (frame && 'seq' in frame && frame.run === run) applied = Math.max(applied, frame.seq)
  }
  for (const item of main.received.slice(startIndex)) {
    const frame = item.frame
    if (!frame || !('run' in frame) || frame.run !== run) continue
    if ('seq' in frame) {
      applied = Math.max(applied, (frame as SequencedFrame).seq)
      ctx.log.record(frame as SequencedFrame, 'live')
      continue
    }
    if (frame.type !== 'heartbeat') continue
    if (item.at - last > slack(heartbeatMs)) {
      const gap = Math.round(item.at - last)
      findings.violate('heartbeat-cadence', `a ${gap} ms gap between heartbeats (heartbeatMs ${heartbeatMs})`)
    }
    last = item.at
    checkHead(ctx, frame, applied)
  }
  const tail = performance.now() - last
  if (tail > slack(heartbeatMs)) {
    findings.violate(
      'heartbeat-cadence',
      `no heartbeat for the last ${Math.round(tail)} ms (heartbeatMs ${heartbeatMs})`,
    )
  }
}

function checkHead(ctx: LivenessContext, frame: HeartbeatFrame, applied: number) {
  if (frame.head !== applied) {
    ctx.findings.violate('heartbeat-head', `head ${frame.head} while this connection had seq ${applied}`)
  }
  if (ctx.log.epoch !== null && frame.head > 0 && frame.epoch !== ctx.log.epoch) {
    ctx.findings.violate(
      'heartbeat-head',
      `epoch ${frame.epoch} in a heartbeat, the run's is ${ctx.log.epoch}`,
    )
  }
}

async function watchEmptyRun(ctx: LivenessContext) {
  const { findings, heartbeatMs, timeoutMs } = ctx
  const empty = `conformance-empty-${Math.random().toString(36).slice(2, 10)}`
  const probe = await ctx.open('empty run')
  findings.check('empty-run')
  probe.send({ v: 1, type: 'subscribe', run: empty })
  const ofEmpty = (frame: { type: string }) => 'run' in frame && (frame as { run: string }).run === empty
  const first = await probe.next(ofEmpty, timeoutMs)
  const frame = first?.frame
  if (!frame) findings.violate('empty-run', 'a subscribe to a run with no events got no answer')
  else if (frame.type !== 'subscribed')
    findings.violate('empty-run', `a run with no events answered ${frame.type}`)
  else if (frame.head !== 0 || frame.epoch !== undefined) {
    findings.violate(
      'empty-run',
      `subscribed for a run with no events: head ${frame.head}, epoch ${frame.epoch}`,
    )
  }
  const beat = await probe.next((f) => ofEmpty(f) && f.type === 'heartbeat', slack(heartbeatMs))
  if (!beat)
    findings.violate(
      'empty-run',
      `no heartbeat for a run with no events within ${Math.round(slack(heartbeatMs))} ms`,
    )
  else if (beat.frame?.type === 'heartbeat' && (beat.frame.head !== 0 || beat.frame.epoch !== undefined)) {
    findings.violate(
      'empty-run',
      `heartbeat of a run with no events: head ${beat.frame.head}, epoch ${beat.frame.epoch}`,
    )
  }
  findings.check('unsubscribe-stops')
  probe.send({ v: 1, type: 'unsubscribe', run: empty })
  // Frames already on the wire may still come: only what arrives after a grace period counts.
  await probe.wait(Math.min(250, heartbeatMs / 2))
  probe.skip()
  const late = await probe.next(ofEmpty, slack(heartbeatMs))
  if (late) findings.violate('unsubscribe-stops', `a ${late.frame?.type} of the run came after unsubscribe`)
}
