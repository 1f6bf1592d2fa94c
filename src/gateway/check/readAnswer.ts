import type { SequencedFrame, ServerFrame, SubscribedFrame } from '../../protocol/types'
import type { Findings } from './createFindings'
import type { RunLog } from './createRunLog'
import type { Probe } from './openProbe'

/** What a connection got in answer to one subscribe or resync of the run. */
export interface Answer {
  subscribed: SubscribedFrame | null
  /** Sequenced frames (events and snapshots) of the run, in arrival order. */
  frames: SequencedFrame[]
  /** An error frame for the run, if one came instead. */
  error: string | null
}

const isSequenced = (frame: ServerFrame): frame is SequencedFrame => 'seq' in frame

/**
 * Reads the answer to a subscribe/resync just sent on `probe`: `subscribed` first (v1.1 A), then sequenced
 * frames until the run's head (`subscribed.head`, or at least `minHead`) is reached from `after`; each frame goes to the log.
 * Checks that the seqs after the starting point are contiguous and in one epoch.
 */
export async function readAnswer(
  probe: Probe,
  run: string,
  ctx: {
    findings: Findings
    log: RunLog
    label: string
    timeoutMs: number
    minHead?: number
    after?: number
  },
): Promise<Answer> {
  const { findings, label, timeoutMs } = ctx
  const ofRun = (frame: ServerFrame) => 'run' in frame && frame.run === run && frame.type !== 'heartbeat'
  const answer: Answer = { subscribed: null, frames: [], error: null }
  const first = await probe.next(ofRun, timeoutMs)
  findings.check('subscribed-first')
  if (!first) {
    findings.violate('subscribed-first', `${label}: no answer within ${timeoutMs} ms`)
    return answer
  }
  const frame = first.frame!
  if (frame.type === 'error') {
    answer.error = `${frame.code}: ${frame.message}`
    return answer
  }
  if (frame.type === 'subscribed') answer.subscribed = frame
  else {
    findings.violate('subscribed-first', `${label}: the first frame was ${frame.type}, not subscribed`)
    if (isSequenced(frame)) answer.frames.push(frame)
  }
  const head = Math.max(answer.subscribed?.head ?? 0, ctx.minHead ?? 0)
  // A resume at the head is answered by `subscribed` alone.
  const reached = () => (answer.frames.at(-1)?.seq ?? ctx.after ?? 0) >= head
  while (head > 0 && !reached()) {
    const next = await probe.next(ofRun, timeoutMs)
    if (!next) {
      findings.violate(
        'subscribe-answer',
        `${label}: the answer stopped at seq ${answer.frames.at(-1)?.seq ?? 0}, head is ${head}`,
      )
      break
    }
    if (isSequenced(next.frame!)) answer.frames.push(next.frame)
  }
  checkContiguous(answer.frames, ctx)
  for (const sequenced of answer.frames) ctx.log.record(sequenced, label)
  return answer
}

/** A snapshot restarts the count at its seq; every event must be the one after the last. */
function checkContiguous(frames: SequencedFrame[], ctx: { findings: Findings; label: string }) {
  let last: SequencedFrame | null = null
  for (const frame of frames) {
    ctx.findings.check('seq-contiguous')
    if (last && frame.epoch !== last.epoch) {
      ctx.findings.violate(
        'seq-contiguous',
        `${ctx.label}: epoch changed from ${last.epoch} to ${frame.epoch}`,
      )
    } else if (last && frame.type !== 'snapshot' && frame.seq !== last.seq + 1) {
      ctx.findings.violate('seq-contiguous', `${ctx.label}: seq ${frame.seq} came after seq ${last.seq}`)
    }
    last = frame
  }
}
