import { checkBadFrames } from './checkBadFrames'
import { checkLiveness } from './checkLiveness'
import { createFindings, type Violation } from './createFindings'
import { createRunLog } from './createRunLog'
import { openProbe, type Probe } from './openProbe'
import { readAnswer } from './readAnswer'
import type { Rule } from './rules'

export interface CheckOptions {
  /** How long to wait for any one answer, ms. */
  timeoutMs?: number
  /** Heartbeat periods to watch for cadence (at least 2). */
  heartbeats?: number
  /** The heartbeat period to expect when the server announces none (no `subscribed`), ms. */
  heartbeatMs?: number
}

export interface CheckReport {
  url: string
  run: string
  ok: boolean
  violations: Violation[]
  /** What could not be checked, and why. */
  notes: string[]
  passed: Rule[]
}

/** Seqs to resume from: the start, the middle, one before the head and the head (each once). */
const resumePoints = (head: number) =>
  [...new Set([Math.floor(head / 2), head - 1, head])].filter((p) => p > 0)

/**
 * Checks a backend that speaks the protocol over WebSocket against PROTOCOL.md's server rules, on one run
 * that has events: subscribe, resumes from several points, a stale epoch, a resync past the head, bad frames,
 * heartbeats, an empty run and unsubscribe. Every snapshot is compared with the log replayed through the
 * kit's reducer.
 * @example
 * const report = await checkBackend('ws://127.0.0.1:8080/v1/live', 'report-42')
 * if (!report.ok) console.log(report.violations)
 */
export async function checkBackend(
  url: string,
  run: string,
  options: CheckOptions = {},
): Promise<CheckReport> {
  const timeoutMs = options.timeoutMs ?? 5000
  const findings = createFindings()
  const log = createRunLog(findings)
  const probes: Probe[] = []
  const open = async (label: string) => {
    const probe = await openProbe(url, { findings, label })
    probes.push(probe)
    return probe
  }
  const finish = (): CheckReport => {
    const result = findings.result()
    return { url, run, ok: result.violations.length === 0, ...result }
  }

  let main: Probe
  try {
    main = await open('subscribe')
  } catch (error) {
    findings.violate('reachable', `${url}: ${(error as Error).message}`)
    return finish()
  }
  try {
    main.send({ v: 1, type: 'subscribe', run })
    const first = await readAnswer(main, run, { findings, log, label: 'subscribe', timeoutMs })
    if (first.error) {
      findings.note(`the server refused the run: ${first.error}`)
      return finish()
    }
    const head = Math.max(first.subscribed?.head ?? 0, first.frames.at(-1)?.seq ?? 0)
    log.epoch = first.subscribed?.epoch ?? first.frames.at(-1)?.epoch ?? null
    for (const frame of first.frames) log.record(frame, 'subscribe')
    const heartbeatMs = first.subscribed?.heartbeatMs ?? options.heartbeatMs ?? 10_000
    if (head === 0 || log.epoch === null) {
      findings.note(`run ${run} has no events yet: replay, snapshot and resume checks need a run with events`)
    } else {
      findings.check('subscribe-answer')
      const start = first.frames[0]
      if (start && start.type !== 'snapshot' && start.seq !== 1) {
        findings.violate(
          'subscribe-answer',
          `subscribe: the answer started at seq ${start.seq}, not a snapshot or seq 1`,
        )
      }
      await checkResumes(run, head, log.epoch)
    }
    await Promise.all([
      checkLiveness({
        url,
        run,
        main,
        open,
        findings,
        log,
        heartbeatMs,
        timeoutMs,
        cycles: options.heartbeats ?? 3,
      }),
      checkBadFrames({ run, open, findings, log, timeoutMs }),
    ])
    log.checkSnapshots()
    return finish()
  } finally {
    await Promise.all(probes.map((probe) => probe.close()))
  }

  async function checkResumes(runId: string, head: number, epoch: string) {
    // The whole log from seq 0, then resumes from points inside it: each must replay exactly what follows.
    for (const after of [0, ...resumePoints(head)]) {
      const label = `resume after ${after}`
      const probe = await open(label)
      probe.send({ v: 1, type: 'subscribe', run: runId, epoch, after })
      const answer = await readAnswer(probe, runId, { findings, log, label, timeoutMs, minHead: head, after })
      const start = answer.frames[0]
      if (start?.type === 'snapshot') {
        findings.note(
          `${label}: answered with a snapshot (the log may be trimmed); exact replay not checked there`,
        )
      } else if (start && start.seq !== after + 1) {
        findings.violate('replay-exact', `${label}: the replay started at seq ${start.seq}, not ${after + 1}`)
      } else if (!start && after < head) {
        findings.violate('replay-exact', `${label}: nothing was replayed (head ${head})`)
      }
      await probe.close()
    }
    // Another epoch's position: a snapshot of this epoch (or its log from seq 1), never events from the middle.
    const stale = await open('stale epoch')
    stale.send({
      v: 1,
      type: 'subscribe',
      run: runId,
      epoch: `stale-${Date.now().toString(36)}`,
      after: Math.min(head, 3),
    })
    const staleAnswer = await readAnswer(stale, runId, {
      findings,
      log,
      label: 'stale epoch',
      timeoutMs,
      minHead: head,
    })
    expectRestart('stale-epoch', 'stale epoch', staleAnswer.frames, epoch)
    // A resync past the head cannot be replayed: the same answer as a fresh subscribe.
    stale.send({ v: 1, type: 'resync', run: runId, epoch, after: head + 10 })
    const resync = await readAnswer(stale, runId, {
      findings,
      log,
      label: 'resync past head',
      timeoutMs,
      minHead: head,
    })
    if (!resync.subscribed && resync.frames.length === 0) {
      findings.violate('resync-past-head', 'resync past head: no answer')
    } else expectRestart('resync-past-head', 'resync past head', resync.frames, epoch)
  }

  function expectRestart(
    rule: Rule,
    label: string,
    frames: { type: string; seq: number; epoch: string }[],
    epoch: string,
  ) {
    findings.check(rule)
    const start = frames[0]
    if (!start) findings.violate(rule, `${label}: no snapshot or events were sent`)
    else if (start.type !== 'snapshot' && start.seq !== 1) {
      findings.violate(
        rule,
        `${label}: answered with ${start.type} seq ${start.seq}, which a client cannot apply`,
      )
    } else if (start.epoch !== epoch)
      findings.violate(rule, `${label}: answered in epoch ${start.epoch}, not ${epoch}`)
  }
}
