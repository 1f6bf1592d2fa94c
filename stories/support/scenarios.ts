import { type ConnectionStatus, createProgressStore, type SchedulerEnv } from '../../src/index'
import type { ProgressSource } from '../../src/react/index'

/** The run every story shows. */
export const RUN = 'run-1'

// No timers at all: a story's state is exactly what its frames say, at the time the story says.
const still: SchedulerEnv = { setTimeout: () => 0, clearTimeout: () => {} }

type Body = Record<string, unknown>

/** A run's log as the server would send it: frames with consecutive `seq`; `ts` counts from the first event. */
export interface LogWriter {
  /** Appends an event `afterMs` after the previous one. */
  event(type: string, body?: Body, afterMs?: number): LogWriter
  /** Starts a run with these phases (`[id, label, weight, expectedMs?]`). */
  start(phases: [string, string, number, number?][], title?: string): LogWriter
  /** Loses the next `count` events on the way (the client sees a hole). */
  lose(count: number): LogWriter
  readonly frames: Body[]
  /** Time of the last event, ms after the first. */
  readonly ts: number
}

export function writeLog(epoch = 'e1', run = RUN): LogWriter {
  let seq = 0
  let ts = 0
  const frames: Body[] = []
  const writer: LogWriter = {
    event(type, body = {}, afterMs = 1000) {
      ts += afterMs
      seq++
      frames.push({ v: 1, run, epoch, seq, ts, type, ...body })
      return writer
    },
    start(phases, title) {
      const plan = phases.map(([id, label, weight, expectedMs]) =>
        expectedMs === undefined ? { id, label, weight } : { id, label, weight, expectedMs },
      )
      return writer.event('run_started', title === undefined ? { plan } : { plan, title }, 0)
    },
    lose(count) {
      seq += count
      return writer
    },
    get frames() {
      return frames
    },
    get ts() {
      return ts
    },
  }
  return writer
}

/** What `<ProgressProvider client>` takes. No `follow`/`unfollow`: remounting a story keeps its run. */
export type Scenario = ProgressSource

export interface ScenarioOptions {
  /** Connection state after the frames arrived. */
  connection?: ConnectionStatus
  /** Time between the last frame and the moment the story shows. */
  laterMs?: number
}

/**
 * Feeds a log to the real client store (`flush: 'sync'`, its own clock, no timers) as JSON frames and
 * returns what the components read. The log is placed so that it ends `laterMs` before now: components
 * that read `Date.now()` (elapsed times, "No updates for …") agree with the store.
 */
export function scenario(log: LogWriter | null, options: ScenarioOptions = {}): Scenario {
  const laterMs = options.laterMs ?? 0
  const base = Date.now() - laterMs - (log?.ts ?? 0)
  let clock = base
  const progress = createProgressStore({ flush: 'sync', now: () => clock, env: still })
  progress.follow(RUN)
  for (const frame of log?.frames ?? []) {
    clock = base + (frame.ts as number)
    progress.ingest(JSON.stringify({ ...frame, ts: clock }))
  }
  clock += laterMs
  if (options.connection) progress.setConnection({ status: options.connection })
  progress.flush()
  return { store: progress.store }
}

const RESEARCH: [string, string, number, number?][] = [
  ['plan', 'Planning the research', 1],
  ['search', 'Searching 6 sources', 4],
  ['read', 'Reading the results', 3],
  ['analyse', 'Analysing', 2, 20_000],
  ['write', 'Writing the report', 2],
]
const TITLE = 'Market scan: solid-state batteries'

/** A research run: planning done, six parallel searches under way (task counts). */
export function researchSearching(): LogWriter {
  const log = writeLog().start(RESEARCH, TITLE)
  log.event('phase_started', { phase: 'plan' }, 300)
  log.event('phase_progress', { phase: 'plan', done: 3, total: 3, label: 'Drafting queries' })
  log.event('phase_completed', { phase: 'plan' }, 200)
  // The phase says up front how many parallel searches it runs (PROTOCOL v1.1 decision 8).
  log.event('phase_started', { phase: 'search', tasks: 6 }, 200)
  const tasks: [string, number, number][] = [
    ['arxiv', 6, 8],
    ['patents', 3, 6],
    ['news', 5, 5],
    ['filings', 2, 7],
    ['scholar', 4, 9],
    ['forums', 1, 4],
  ]
  // Every search announces its size first: a task that has not reported yet cannot count against the phase.
  for (const [task, , total] of tasks)
    log.event('task_progress', { phase: 'search', task, done: 0, total }, 50)
  for (const [task, done, total] of tasks) {
    log.event('task_progress', { phase: 'search', task, done, total, label: `${task}: page ${done}` }, 250)
  }
  return log
}

/** Searching and reading done; the agent is analysing and reports no counts. */
export function researchAnalysing(): LogWriter {
  const log = researchSearching()
  log.event('phase_completed', { phase: 'search' }, 400)
  log.event('phase_started', { phase: 'read' }, 100)
  log.event('phase_progress', { phase: 'read', done: 14, total: 14, label: 'Document 14 of 14' }, 3_000)
  log.event('phase_completed', { phase: 'read' }, 200)
  log.event('phase_started', { phase: 'analyse' }, 100)
  log.event('agent_started', { agent: 'analyst' }, 100)
  log.event('agent_thinking', { agent: 'analyst', text: 'Comparing energy densities across 14 cells' }, 1_500)
  log.event('tool_executing', { call: 'c1', tool: 'table_extract', agent: 'analyst' }, 500)
  log.event('tool_completed', { call: 'c1', tool: 'table_extract', agent: 'analyst', ok: true }, 2_500)
  log.event('agent_thinking', { agent: 'analyst', text: 'Checking the patent claims against the news' }, 800)
  log.event('tool_executing', { call: 'c2', tool: 'cross_check', agent: 'analyst' }, 400)
  return log
}

/** Every phase done and `run_completed`. */
export function researchCompleted(): LogWriter {
  const log = researchAnalysing()
  log.event('tool_completed', { call: 'c2', tool: 'cross_check', agent: 'analyst', ok: true }, 2_000)
  log.event('agent_completed', { agent: 'analyst', ok: true }, 300)
  log.event('phase_completed', { phase: 'analyse' }, 100)
  log.event('phase_started', { phase: 'write' }, 100)
  log.event('phase_progress', { phase: 'write', done: 5, total: 5, label: 'Risks' }, 4_000)
  log.event('phase_completed', { phase: 'write' }, 200)
  return log.event('run_completed', {}, 100)
}

/** Reading fails for good; the run fails with a message. */
export function researchFailed(): LogWriter {
  const log = researchSearching()
  log.event('phase_completed', { phase: 'search' }, 400)
  log.event('phase_started', { phase: 'read' }, 100)
  log.event('phase_progress', { phase: 'read', done: 4, total: 14 }, 2_000)
  log.event('phase_failed', { phase: 'read', error: 'The document store timed out three times' }, 5_000)
  return log.event('run_failed', { error: 'Could not read the search results. Nothing was charged.' }, 100)
}

/** Planned and waiting behind `ahead` other runs. */
export function queued(ahead: number): LogWriter {
  return writeLog().start(RESEARCH, TITLE).event('queued', { position: ahead }, 200)
}

/** A running phase with plain counts: 12 of 40 documents. */
export function readingCounts(): LogWriter {
  return writeLog()
    .start([
      ['fetch', 'Fetching', 1],
      ['read', 'Reading documents', 3],
    ])
    .event('phase_started', { phase: 'fetch' }, 200)
    .event('phase_completed', { phase: 'fetch' })
    .event('phase_started', { phase: 'read' }, 100)
    .event('phase_progress', { phase: 'read', done: 10, total: 40, label: 'Document 10 of 40' })
}

/** Analysing: the agent opened a call, then thinks aloud for `lines` lines (the list keeps 200 entries). */
export function chattyAgent(lines = 300): LogWriter {
  const log = researchSearching()
  log.event('phase_completed', { phase: 'search' }, 400)
  log.event('phase_skipped', { phase: 'read' }, 100)
  log.event('phase_started', { phase: 'analyse' }, 100)
  log.event('agent_started', { agent: 'analyst' }, 100)
  log.event('tool_executing', { call: 'c1', tool: 'patent_search', agent: 'analyst' }, 300)
  for (let i = 1; i <= lines; i++)
    log.event('agent_thinking', { agent: 'analyst', text: `Claim ${i}: comparing with the prior art` }, 40)
  return log
}

/** `run_completed` while Analysing was still active, its agent and a call still open (a producer's slip). */
export function completedWithOpenPhase(): LogWriter {
  const log = researchAnalysing()
  return log.event('run_completed', {}, 1_500)
}

/** Searching done, then back in line for a free agent slot before Reading can start. */
export function waitingForAgentSlot(): LogWriter {
  const log = researchSearching()
  log.event('task_progress', { phase: 'search', task: 'arxiv', done: 8, total: 8 }, 300)
  log.event('phase_completed', { phase: 'search' }, 300)
  return log.event('queued', { position: 2, etaMs: 45_000 }, 100)
}
