import { type AdaptedEvent, type Adapter, boundedRuns, defineAdapter, events } from './defineAdapter'
import { type AdapterPhase, createPlanBook } from './planBook'

export interface AgUiAdapterOptions {
  /** The run every event belongs to (an AG-UI HTTP request is one run). Default: the last `RUN_STARTED`'s `runId`. */
  run?: string
  /** Steps in order, with labels and weights. Steps not in it are added (`plan_updated`) as they appear. */
  plan?: AdapterPhase[]
  title?: string
  /** Maps a `STATE_SNAPSHOT`'s app-defined `snapshot` to events (e.g. counts of the current step). Default: none. */
  snapshot?: (snapshot: unknown, run: string) => AdaptedEvent[] | null
  /** Runs remembered at once; the oldest is forgotten first. Default 64. */
  runs?: number
}

const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0
const clip = (text: string, max: number) => text.slice(0, max)

/**
 * An adapter for AG-UI agent events: steps become phases (`STEP_STARTED`/`STEP_FINISHED`), tool calls become
 * activity (`TOOL_CALL_START`, then the first of `TOOL_CALL_END`/`TOOL_CALL_RESULT`), `RUN_FINISHED` completes
 * the run (an `interrupt` outcome does not), `RUN_ERROR` fails it. Text, reasoning and deltas map to nothing.
 * Without a `plan` option, the run is declared at its first step. Event `timestamp`s are not used: AG-UI makes
 * them optional, and a mix of agent and local clocks would skew the time-based estimates.
 * @example
 * const client = createProgressClient({ transport, adapter: createAgUiAdapter({ run: input.runId }) })
 */
export function createAgUiAdapter(options: AgUiAdapterOptions = {}): Adapter {
  const runs = boundedRuns(options.runs ?? 64, () => ({
    book: null as ReturnType<typeof createPlanBook> | null,
    started: new Set<string>(),
    tools: new Map<string, string>(),
    closed: new Set<string>(),
  }))
  let current: string | undefined = options.run

  return defineAdapter((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null) return null
    const m = raw as Record<string, unknown>
    if (m.type === 'RUN_STARTED' && options.run === undefined && isString(m.runId)) current = m.runId
    const run = current
    if (run === undefined) return null
    const memory = runs.get(run)
    memory.book ??= createPlanBook(run, options.plan, options.title)
    const step = (name: unknown) => {
      if (!isString(name)) throw new TypeError(`${String(m.type)}: stepName is required`)
      return clip(name, 128)
    }
    switch (m.type) {
      case 'RUN_STARTED':
        return memory.book.ensure([])
      case 'STEP_STARTED': {
        const id = step(m.stepName)
        const out = memory.book.ensure([id])
        if (!memory.started.has(id)) out.push(events.phaseStarted(run, id))
        memory.started.add(id)
        return out
      }
      case 'STEP_FINISHED': {
        const id = step(m.stepName)
        return [...memory.book.ensure([id]), events.phaseCompleted(run, id)]
      }
      case 'TOOL_CALL_START': {
        if (!isString(m.toolCallId)) throw new TypeError('TOOL_CALL_START: toolCallId is required')
        const name = isString(m.toolCallName) ? m.toolCallName : isString(m.toolName) ? m.toolName : 'tool'
        memory.tools.set(m.toolCallId, clip(name, 128))
        return [events.toolExecuting(run, clip(m.toolCallId, 128), clip(name, 128))]
      }
      case 'TOOL_CALL_END':
      case 'TOOL_CALL_RESULT': {
        if (!isString(m.toolCallId)) throw new TypeError(`${m.type}: toolCallId is required`)
        // END closes the call's arguments and RESULT carries its outcome: whichever comes first ends it.
        if (memory.closed.has(m.toolCallId)) return null
        memory.closed.add(m.toolCallId)
        const tool = memory.tools.get(m.toolCallId) ?? 'tool'
        return [events.toolCompleted(run, clip(m.toolCallId, 128), tool)]
      }
      case 'RUN_FINISHED':
        if (m.outcome === 'interrupt') return null
        return [events.runCompleted(run)]
      case 'RUN_ERROR': {
        const text = isString(m.message) ? m.message : 'run error'
        return [events.runFailed(run, clip(isString(m.code) ? `${text} (${m.code})` : text, 4096))]
      }
      case 'STATE_SNAPSHOT':
        return options.snapshot ? options.snapshot(m.snapshot, run) : null
      default:
        return null
    }
  })
}
