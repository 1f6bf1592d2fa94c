/** Deterministic, realistic frame streams for the benchmarks and the reliability suite. */

/** mulberry32: a tiny seeded PRNG, so every run of the bench sees the same bytes. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface FrameMixOptions {
  /** Frames to produce, including `run_started` and `run_completed`. */
  frames: number
  seed?: number
  run?: string
  epoch?: string
  /** Share of frames swapped with a later one within `reorderWindow` (5% by default). */
  reorderRate?: number
  reorderWindow?: number
  /** Share of frames sent twice (1% by default). */
  duplicateRate?: number
  /** Share of agent/tool activity frames (8% by default); the rest is progress. */
  activityRate?: number
}

export interface FrameMix {
  /** Wire texts in delivery order (reordered and duplicated). */
  wire: string[]
  /** The same events in seq order, each once: what in-order application sees. */
  ordered: string[]
  /** Highest seq of the log. */
  lastSeq: number
}

const PHASES = [
  { id: 'plan', label: 'Planning the research', weight: 1 },
  { id: 'search', label: 'Searching sources', weight: 4 },
  { id: 'read', label: 'Reading documents', weight: 3 },
  { id: 'write', label: 'Writing the report', weight: 2 },
] as const

/**
 * A research-agent run: a plan of 4 phases, mostly `phase_progress` (~180 bytes each), `task_progress`
 * for the parallel searches, and agent/tool events; then shuffled like a real network would.
 */
export function generateFrameMix(options: FrameMixOptions): FrameMix {
  const random = createRandom(options.seed ?? 42)
  const run = options.run ?? 'run-7f3a9c2e'
  const epoch = options.epoch ?? 'e-1763794800'
  const reorderRate = options.reorderRate ?? 0.05
  const reorderWindow = options.reorderWindow ?? 16
  const duplicateRate = options.duplicateRate ?? 0.01
  const activityRate = options.activityRate ?? 0.08
  const total = Math.max(4, options.frames)
  const ordered: string[] = []
  let seq = 0
  let ts = 1_763_794_800_000
  const push = (body: Record<string, unknown>) => {
    seq++
    ts += 1 + Math.floor(random() * 20)
    ordered.push(JSON.stringify({ v: 1, type: body.type, run, epoch, seq, ts, ...body }))
  }
  push({ type: 'run_started', title: 'Market map of vector databases', plan: PHASES })
  // Progress frames are split over the phases by weight; search uses task_progress for 8 parallel tasks.
  const progressBudget = total - 2 - PHASES.length * 2
  const perPhase = PHASES.map((p) => Math.max(1, Math.floor((progressBudget * p.weight) / 10)))
  let callId = 0
  let openCall: { call: string; tool: string } | null = null
  for (let p = 0; p < PHASES.length; p++) {
    const phase = PHASES[p]!
    push({ type: 'phase_started', phase: phase.id })
    const steps = perPhase[p]!
    const itemTotal = steps * 10
    const taskDone = new Array<number>(8).fill(0)
    const taskTotal = Math.ceil(itemTotal / 8)
    let done = 0
    for (let i = 0; i < steps && seq < total - (PHASES.length - p) * 2; i++) {
      if (random() < activityRate) {
        const agent = `agent-${1 + Math.floor(random() * 6)}`
        if (openCall) {
          push({
            type: 'tool_completed',
            call: openCall.call,
            tool: openCall.tool,
            agent,
            ok: random() > 0.05,
          })
          openCall = null
        } else if (random() < 0.5) {
          openCall = { call: `call-${++callId}`, tool: random() < 0.5 ? 'web_search' : 'fetch_page' }
          push({ type: 'tool_executing', call: openCall.call, tool: openCall.tool, agent })
        } else {
          push({
            type: 'agent_thinking',
            agent,
            text: `Comparing ${1 + Math.floor(random() * 40)} candidate sources`,
          })
        }
        continue
      }
      if (phase.id === 'search') {
        const task = Math.floor(random() * 8)
        taskDone[task] = Math.min(taskTotal, taskDone[task]! + 1 + Math.floor(random() * 3))
        push({
          type: 'task_progress',
          phase: phase.id,
          task: `query-${task}`,
          done: taskDone[task],
          total: taskTotal,
          label: `${taskDone[task]} of ${taskTotal} results`,
        })
      } else {
        done = Math.min(itemTotal, done + 1 + Math.floor(random() * 18))
        push({
          type: 'phase_progress',
          phase: phase.id,
          done,
          total: itemTotal,
          label: `${done} of ${itemTotal} items`,
        })
      }
    }
    push({ type: 'phase_completed', phase: phase.id })
  }
  push({ type: 'run_completed' })
  return { wire: shuffle(ordered, random, reorderRate, reorderWindow, duplicateRate), ordered, lastSeq: seq }
}

/** Swaps some frames with one up to `window` places later and repeats some, like a lossy fan-in would. */
export function shuffle(
  ordered: readonly string[],
  random: () => number,
  reorderRate: number,
  window: number,
  duplicateRate: number,
): string[] {
  const out = ordered.slice()
  // A frame moves at most once, so no frame ends up more than `window` places from home.
  const moved = new Uint8Array(out.length)
  for (let i = 0; i < out.length; i++) {
    // Each swap displaces two frames.
    if (moved[i] || random() >= reorderRate / 2) continue
    const j = Math.min(out.length - 1, i + 1 + Math.floor(random() * (window - 1)))
    if (moved[j]) continue
    moved[i] = 1
    moved[j] = 1
    const a = out[i]!
    out[i] = out[j]!
    out[j] = a
  }
  const wire: string[] = []
  for (const text of out) {
    wire.push(text)
    if (random() < duplicateRate) wire.push(text)
  }
  return wire
}

/** Mean UTF-16 length of a list of frames (ASCII here, so bytes). */
export const meanLength = (frames: readonly string[]): number =>
  frames.reduce((sum, f) => sum + f.length, 0) / Math.max(1, frames.length)

export interface LogStreamOptions {
  /** Events in the log, `run_started` and `run_completed` included. */
  events: number
  seed?: number
  run?: string
  epoch?: string
  phases?: number
  t0?: number
}

/**
 * An arbitrarily long valid log for one run, produced one event at a time (a million events never sit in
 * memory at once): phases alternate between `phase_progress` and `task_progress` style, with agent and
 * tool events in between; `next()` returns null after `run_completed`.
 */
export function createLogStream(options: LogStreamOptions): {
  next(): Record<string, unknown> | null
  lastSeq: number
} {
  const random = createRandom(options.seed ?? 7)
  const run = options.run ?? 'run-soak'
  const epoch = options.epoch ?? 'e1'
  const phaseCount = Math.max(1, options.phases ?? 8)
  const events = Math.max(2 + phaseCount * 2, options.events)
  const perPhase = Math.floor((events - 2 - phaseCount * 2) / phaseCount)
  const plan = Array.from({ length: phaseCount }, (_, i) => ({
    id: `phase-${i}`,
    label: `Phase ${i}`,
    weight: 1 + (i % 3),
  }))
  let seq = 0
  let ts = options.t0 ?? 1_763_794_800_000
  let phase = -1
  let step = 0
  let done = 0
  const taskDone = new Array<number>(8).fill(0)
  let callId = 0
  let openCall: string | null = null
  let finished = false
  // Plain literals rather than spreads: the generator must stay cheap next to what it feeds.
  const tick = () => {
    seq++
    ts += 1 + Math.floor(random() * 5)
    return seq
  }
  function progress(id: string, index: number): Record<string, unknown> {
    if (random() < 0.08) {
      const agent = `agent-${Math.floor(random() * 4)}`
      if (openCall !== null) {
        const call = openCall
        openCall = null
        return {
          v: 1,
          type: 'tool_completed',
          run,
          epoch,
          seq: tick(),
          ts,
          call,
          tool: 'web_search',
          agent,
          ok: true,
        }
      }
      if (random() < 0.5) {
        openCall = `call-${++callId}`
        return {
          v: 1,
          type: 'tool_executing',
          run,
          epoch,
          seq: tick(),
          ts,
          call: openCall,
          tool: 'web_search',
          agent,
        }
      }
      return { v: 1, type: 'agent_thinking', run, epoch, seq: tick(), ts, agent, text: `step ${step}` }
    }
    const total = perPhase * 10
    if (index % 2 === 1) {
      const task = Math.floor(random() * 8)
      const taskValue = Math.min(total, taskDone[task]! + 1 + Math.floor(random() * 3))
      taskDone[task] = taskValue
      return {
        v: 1,
        type: 'task_progress',
        run,
        epoch,
        seq: tick(),
        ts,
        phase: id,
        task: `t${task}`,
        done: taskValue,
        total,
      }
    }
    done = Math.min(total, done + 1 + Math.floor(random() * 9))
    return {
      v: 1,
      type: 'phase_progress',
      run,
      epoch,
      seq: tick(),
      ts,
      phase: id,
      done,
      total,
      label: `${done} of ${total}`,
    }
  }
  const plain = (type: string): Record<string, unknown> => ({ v: 1, type, run, epoch, seq: tick(), ts })
  return {
    get lastSeq() {
      return events
    },
    next() {
      if (finished) return null
      if (phase === -1) {
        phase = 0
        step = -1
        return { ...plain('run_started'), plan }
      }
      if (phase >= phaseCount) {
        // Pad with thinking lines so the log has exactly `events` events.
        if (events - seq > 1) return { ...plain('agent_thinking'), agent: 'agent-0', text: 'wrapping up' }
        finished = true
        return plain('run_completed')
      }
      const id = plan[phase]!.id
      if (step === -1) {
        step = 0
        done = 0
        taskDone.fill(0)
        return { ...plain('phase_started'), phase: id }
      }
      if (step < perPhase) {
        step++
        return progress(id, phase)
      }
      phase++
      step = -1
      return { ...plain('phase_completed'), phase: id }
    },
  }
}
