import { type AdaptedEvent, type Adapter, boundedRuns, defineAdapter, events } from './defineAdapter'
import { type AdapterPhase, createPlanBook } from './planBook'

/**
 * The legacy `research_progress` message, as accepted (unknown fields are ignored):
 * - `type`: `'research_progress'` (any other type maps to nothing);
 * - `run_id` or `research_id`: string, 1–128 chars (required);
 * - `phase`: string, the phase being worked on (optional on a terminal message);
 * - `progress`: number 0–100, read only with `percent: 'phase'` and only when there are no item counts;
 * - `items_done`, `items_total`: integers, the current phase's counts;
 * - `completed_phases`: string[], every phase finished so far (cumulative);
 * - `message`: string, a status line (the phase's detail, or an activity line without counts);
 * - `status`: `'completed' | 'done' | 'success'` end the run, `'failed' | 'error'` fail it, `'cancelled' |
 *   'canceled'` cancel it; anything else means running.
 */
export interface ResearchProgressMessage {
  type: 'research_progress'
  run_id?: string
  research_id?: string
  phase?: string
  progress?: number
  items_done?: number
  items_total?: number
  completed_phases?: string[]
  message?: string
  status?: string
}

export interface ResearchProgressAdapterOptions {
  /** The phases in order, with labels and weights. Without it the plan is inferred from phases seen. */
  plan?: AdapterPhase[]
  title?: string
  /** `progress` as the current phase's percentage (`'phase'`), or not read at all (`'ignore'`, default). */
  percent?: 'ignore' | 'phase'
  /** Runs remembered at once (completed phases, plan); the oldest is forgotten first. Default 256. */
  runs?: number
}

const DONE = new Set(['completed', 'done', 'success'])
const FAILED = new Set(['failed', 'error'])
const CANCELLED = new Set(['cancelled', 'canceled'])

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value)

/**
 * An adapter for the legacy `research_progress` stream (no sequence numbers). It remembers per run which
 * phases it already reported finished, so the cumulative `completed_phases` list becomes one
 * `phase_completed` each; a stale message (its phase finished already) still reaches the phase rules and is
 * rejected there, visibly. Fields accepted: see `ResearchProgressMessage`.
 * @example
 * const client = createProgressClient({
 *   transport: (handlers) => createSseTransport(handlers, { url: '/legacy/stream', mode: 'stream', EventSource }),
 *   adapter: createResearchProgressAdapter({ plan: [{ id: 'search', weight: 3 }, { id: 'write' }] }),
 * })
 */
export function createResearchProgressAdapter(options: ResearchProgressAdapterOptions = {}): Adapter {
  const runs = boundedRuns(options.runs ?? 256, () => ({
    book: null as ReturnType<typeof createPlanBook> | null,
    finished: new Set<string>(),
    started: new Set<string>(),
  }))
  return defineAdapter((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) return null
    const m = raw as Record<string, unknown>
    if (m.type !== 'research_progress') return null
    const run = isString(m.run_id) ? m.run_id : m.research_id
    if (!isString(run)) throw new TypeError('research_progress: run_id or research_id is required')
    const memory = runs.get(run)
    memory.book ??= createPlanBook(run, options.plan, options.title)
    const phase = isString(m.phase) ? m.phase : undefined
    const completed = Array.isArray(m.completed_phases) ? m.completed_phases.filter(isString) : []
    const status = typeof m.status === 'string' ? m.status.toLowerCase() : 'running'
    const message = isString(m.message) ? m.message.slice(0, 4096) : undefined
    const out: AdaptedEvent[] = memory.book.ensure(phase === undefined ? completed : [...completed, phase])
    for (const id of completed) {
      if (memory.finished.has(id)) continue
      memory.finished.add(id)
      out.push(events.phaseCompleted(run, id))
    }
    // A phase this very message lists as finished has nothing left to report.
    if (phase !== undefined && !completed.includes(phase)) {
      const percent = options.percent === 'phase' && isCount(m.progress) ? m.progress : undefined
      if (isCount(m.items_total) && isCount(m.items_done)) {
        out.push(events.phaseProgress(run, phase, m.items_done, m.items_total, message))
      } else if (percent !== undefined) {
        out.push(
          events.phaseProgress(run, phase, Math.round(Math.min(100, Math.max(0, percent))), 100, message),
        )
      } else {
        if (!memory.started.has(phase)) out.push(events.phaseStarted(run, phase))
        if (message !== undefined) out.push(events.agentThinking(run, phase, message))
      }
      memory.started.add(phase)
      if (DONE.has(status) && !memory.finished.has(phase)) {
        memory.finished.add(phase)
        out.push(events.phaseCompleted(run, phase))
      }
    }
    if (DONE.has(status)) out.push(events.runCompleted(run))
    else if (FAILED.has(status)) out.push(events.runFailed(run, message))
    else if (CANCELLED.has(status)) out.push(events.runCancelled(run, message))
    return out
  })
}
