import { createRunState, isTerminal, type ReducerLimits, type RejectReason } from '../core/applyEvent'
import {
  CONFIDENCE_DEFAULTS,
  type ConfidenceOptions,
  createConfidenceTracker,
  heartbeatTimeout,
} from '../core/confidence'
import { createEtaEstimator } from '../core/eta'
import { stallThreshold } from '../core/producerSilence'
import { nextDisplayed, type ProgressOptions, readProgress } from '../core/progress'
import type { RunView } from '../core/RunView'
import { createRunDraft, NO_AGENTS } from '../core/runDraft'
import { createSequencer, type SequencerAction, type SequencerOptions } from '../core/sequencer'
import { type TaskCounts, taskCounts } from '../core/taskCounts'
import type { HeartbeatFrame, PhaseState, RunState, SequencedFrame, SubscribedFrame } from '../protocol/types'

export interface RunTrackerOptions extends SequencerOptions, ProgressOptions, ConfidenceOptions {
  limits: ReducerLimits
  /** No frame for this long → stale. Default: 2.5 × the period the hub announced, else 25 s. */
  heartbeatTimeoutMs?: number
  /** The source has no trustworthy order (adapters): confidence never says `high` while running. */
  unordered?: boolean
  /** A rule applied before the phase rules (unsequenced mode's plan order, brought by the adapter). */
  extraRule?: (state: RunState, event: SequencedFrame) => RejectReason | null
}

export interface ViewContext {
  now: number
  disconnected: boolean
  /** Local time the connection last opened; staleness counts from it at the earliest. */
  openedAt?: number
}

export interface RejectedEvent {
  event: SequencedFrame
  reason: RejectReason
}

/** One run's pipeline: sequencer → reducer → progress model, and the view built from them. */
export function createRunTracker(runId: string, options: RunTrackerOptions) {
  const sequencer = createSequencer(options)
  const eta = createEtaEstimator()
  const confidenceOf = createConfidenceTracker(options)
  // Events write into the draft; the view publishes it, so the reducer copies once per flush, not per event.
  const draft = createRunDraft(createRunState(), options.limits)
  let stateEpoch: string | null = null
  let stateSeq = 0
  let displayed = 0
  let clockOffset: number | null = null
  let lastFrameAt: number | null = null
  let version = 0
  let builtVersion = -1
  let view: RunView | null = null
  let rejected = 0
  let refused: RunView['refused'] | null = null
  let acknowledged: SubscribedFrame | null = null
  // The hub said it has issued nothing for this run (head 0, no epoch): a wait for its job, not a silence.
  let emptyAtHub = false
  // Server time of the producer's last event as best known: the newest event's ts, or a heartbeat's ts − idle.
  // Kept in the server's clock so that a pointer copy (no arithmetic, no allocation) serves the hot path.
  let lastEventTs: number | null = null
  // A new epoch arrived while the bar showed this much: if the new state shows less, the run restarted.
  let restartFrom: number | null = null
  let restartedAt: number | null = null
  const rejections: Partial<Record<RejectReason, number>> = {}
  // Task counts follow the phases: rebuilt when the phase list changes, reused for every phase that did not.
  const countsOf = new WeakMap<PhaseState, TaskCounts | undefined>()
  let tasksFor: PhaseState[] | null = null
  let tasks: Record<string, TaskCounts> = {}

  function tasksOf(phases: PhaseState[]): Record<string, TaskCounts> {
    if (phases === tasksFor) return tasks
    tasksFor = phases
    tasks = {}
    for (const phase of phases) {
      if (!countsOf.has(phase)) countsOf.set(phase, taskCounts(phase))
      const counts = countsOf.get(phase)
      if (counts) tasks[phase.id] = counts
    }
    return tasks
  }

  function apply(event: SequencedFrame): RejectedEvent | null {
    if (event.epoch !== stateEpoch) {
      // A new epoch replaces the old log: start from nothing (a snapshot replaces everything anyway).
      if (stateEpoch !== null) {
        draft.replace(createRunState())
        restartFrom = displayed
        restartedAt = null
        displayed = 0
        eta.reset()
      }
      stateEpoch = event.epoch
    }
    stateSeq = event.seq
    refused = null
    // Unsequenced sources (adapters) get one more phase rule: arrival order may bring back a stale phase.
    const reason = options.extraRule?.(draft.peek(), event) ?? draft.apply(event)
    if (reason) {
      rejected++
      rejections[reason] = (rejections[reason] ?? 0) + 1
      return { event, reason }
    }
    return null
  }

  return {
    runId,
    sequencer,
    /** Runs a frame through sequencer and reducer; returns what the transport should do, if anything. */
    ingest(
      frame: SequencedFrame | HeartbeatFrame | SubscribedFrame,
      now: number,
      onReject: (rejection: RejectedEvent) => void,
    ): SequencerAction | null {
      version++
      lastFrameAt = now
      // The hub's acknowledgement (v1.1) says what it holds; the replay or snapshot that follows brings the state.
      if (frame.type === 'subscribed') {
        acknowledged = frame
        emptyAtHub = frame.head === 0
        return null
      }
      // Replayed and held frames carry old ts: the least delayed frame says best where the server clock is.
      // Heartbeats are always current, so they re-anchor it (and follow drift).
      const offset = now - frame.ts
      if (frame.type === 'heartbeat') {
        clockOffset = offset
        emptyAtHub = frame.head === 0
        // v1.1 `idle`: the server knows when the producer last spoke, even for a client that just resumed.
        if (frame.idle !== undefined) lastEventTs = frame.ts - frame.idle
      }
      // Written only when it moves: a number stored per frame is a heap allocation per frame.
      else if (clockOffset === null || offset < clockOffset) clockOffset = offset
      const { events, action } = sequencer.ingest(frame, now)
      // Rejections are reported after the loop: onReject reaches host code that may re-enter ingest, which
      // reuses the sequencer's result array under our feet.
      let rejections: RejectedEvent[] | null = null
      for (const event of events) {
        if (lastEventTs === null || event.ts > lastEventTs) lastEventTs = event.ts
        const rejection = apply(event)
        if (rejection) {
          rejections ??= []
          rejections.push(rejection)
        }
      }
      if (rejections) for (const rejection of rejections) onReject(rejection)
      return action
    },
    /** Asks the sequencer whether a hole needs a resync now; its stats change, so the view must too. */
    tick(now: number): SequencerAction | null {
      const action = sequencer.tick(now)
      if (action) version++
      return action
    },
    /** Whether the view may change with time alone (estimates creep, ETA, staleness). */
    live: () => !isTerminal(draft.peek().status),
    touch() {
      version++
    },
    /** The server answered this run with an error frame; shown until the run's next event. */
    refuse(code: string, message: string) {
      refused = { code, message }
      version++
    },
    state: () => draft.publish(),
    /** The hub's last `subscribed` answer for this run, if it sent one (v1.1 hubs do). */
    acknowledged: () => acknowledged,
    /** Builds the view at `now`; returns the previous object when nothing visible changed. */
    view(context: ViewContext): RunView {
      const state = draft.publish()
      const reading = readProgress(state, context.now - (clockOffset ?? 0), options)
      const nextShown = nextDisplayed(displayed, state, reading, options)
      displayed = nextShown
      // Named, not silent: a new epoch whose state shows less than the bar did is a restart from scratch.
      if (restartFrom !== null) {
        if (nextShown < restartFrom) restartedAt = context.now
        restartFrom = null
      }
      const serverNow = context.now - (clockOffset ?? 0)
      const stallLimit = stallThreshold(state, options.stallAfterMs)
      const etaMs = state.status === 'running' ? eta.sample(nextShown, context.now) : null
      const stale =
        lastFrameAt !== null &&
        context.now - Math.max(lastFrameAt, context.openedAt ?? lastFrameAt) >
          heartbeatTimeout(options.heartbeatTimeoutMs, acknowledged?.heartbeatMs)
      // The tracker gives young holes a grace (a reorder about to fill is not "catching up") and notices
      // a run that has heard nothing yet.
      const { confidence, reason } = confidenceOf.read({
        status: state.status,
        disconnected: context.disconnected,
        stale: stale || refused !== null,
        sequencer: sequencer.status(),
        estimated: reading.estimated,
        unordered: options.unordered,
        now: context.now,
        lastFrameAt,
        requests: sequencer.stats.resyncs,
        waiting: emptyAtHub && stateEpoch === null,
        restarted:
          restartedAt !== null &&
          context.now - restartedAt < (options.restartNoticeMs ?? CONFIDENCE_DEFAULTS.restartNoticeMs),
        producerSilent: stallLimit !== null && lastEventTs !== null && serverNow - lastEventTs >= stallLimit,
      })
      // The view describes the state it shows: taking the sequencer's epoch labelled the old state with the
      // new epoch while a snapshot was awaited, and the reset when it came looked like a step backward.
      if (
        view !== null &&
        builtVersion === version &&
        view.displayed === nextShown &&
        view.etaMs === etaMs &&
        view.confidenceReason === reason &&
        view.epoch === stateEpoch
      ) {
        return view
      }
      builtVersion = version
      // The run state's own fields (status, phases, activity, and title, queuePosition, error when set).
      view = {
        ...state,
        runId,
        progress: reading.progress,
        displayed: nextShown,
        estimated: reading.estimated,
        confidence,
        confidenceReason: reason,
        etaMs,
        epoch: stateEpoch,
        agents: state.agents ?? NO_AGENTS,
        tasks: tasksOf(state.phases),
        seq: stateSeq,
        lastFrameAt,
        lastEventAt: lastEventTs === null ? null : lastEventTs + (clockOffset ?? 0),
        stats: { ...sequencer.stats, rejected, rejections: { ...rejections } },
      }
      if (refused) view.refused = refused
      if (restartedAt !== null) view.restarted = true
      return view
    },
  }
}

export type RunTracker = ReturnType<typeof createRunTracker>
