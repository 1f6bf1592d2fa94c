import type { HubHost } from './createHubHost'
import { RESEARCH_PLAN, simulateResearchRun } from './simulateResearchRun'

export interface RunSummary {
  id: string
  title: string
  /** Where the demo's scheduler has it (the page reads the real status from the stream). */
  stage: 'queued' | 'running' | 'ended'
  createdAt: number
}

export interface RunBoardOptions {
  host: HubHost
  /** Runs simulated at once; the rest wait in the backlog. */
  concurrency?: number
  /** Delay multiplier of the simulation (0.2 = five times faster). */
  speed?: number
  seed?: number
  /** Runs listed for the page (oldest ended ones are forgotten first). */
  keep?: number
  /** Runs waiting in the backlog at most; `start` starts no more than there is room for. */
  maxWaiting?: number
  onError?: (error: unknown, runId: string) => void
}

const QUESTIONS = [
  'How safe are solid-state batteries?',
  'Which heat pumps work below −20 °C?',
  'Does intermittent fasting help memory?',
  'What limits perovskite solar cell lifetime?',
  'How do cities cut urban heat islands?',
  'Are microplastics in drinking water harmful?',
]

/**
 * The demo's backend: starts simulated research runs, at most `concurrency` at a time, and keeps the rest in a
 * backlog whose runs are told their queue position (`queued`) every time it moves.
 */
export function createRunBoard(options: RunBoardOptions) {
  const { host } = options
  const concurrency = options.concurrency ?? 3
  const keep = options.keep ?? 12
  const maxWaiting = options.maxWaiting ?? 20
  const runs: RunSummary[] = []
  const backlog: string[] = []
  const controllers = new Map<string, AbortController>()
  let active = 0
  let counter = 0
  let closed = false
  // A prefix per process, so a browser tab left open across server restarts never mixes two runs' logs.
  const prefix = Date.now().toString(36).slice(-4)

  const report = (error: unknown, runId: string) => options.onError?.(error, runId)
  const summary = (id: string) => runs.find((run) => run.id === id)

  function forget() {
    while (runs.length > keep) {
      const index = runs.findIndex((run) => run.stage === 'ended')
      if (index < 0) return
      runs.splice(index, 1)
    }
  }

  function announceQueue() {
    backlog.forEach(
      (id, position) =>
        void host
          .publisher(id)
          .queued(position)
          .catch((e) => report(e, id)),
    )
  }

  function pump() {
    let moved = false
    while (!closed && active < concurrency && backlog.length > 0) {
      const id = backlog.shift()!
      moved = true
      simulate(id)
    }
    if (moved) announceQueue()
  }

  function simulate(id: string) {
    const run = summary(id)
    if (!run) return
    run.stage = 'running'
    active++
    const controller = new AbortController()
    controllers.set(id, controller)
    const publisher = host.publisher(id)
    simulateResearchRun(publisher, {
      seed: (options.seed ?? 1) * 1000 + counter,
      speed: options.speed ?? 1,
      title: run.title,
      signal: controller.signal,
    })
      .catch((error) => {
        if (closed) return
        report(error, id)
        return publisher.fail('the simulation failed').catch(() => {})
      })
      .finally(() => {
        controllers.delete(id)
        run.stage = 'ended'
        active--
        forget()
        pump()
      })
  }

  async function startOne(): Promise<string> {
    counter++
    const id = `run-${prefix}-${counter}`
    const title = QUESTIONS[(counter - 1) % QUESTIONS.length]!
    runs.push({ id, title, stage: 'queued', createdAt: Date.now() })
    forget()
    if (active < concurrency && backlog.length === 0) {
      simulate(id) // the simulation declares the plan itself
      return id
    }
    // Declared at once, so the page shows the plan and the queue before the run gets a slot.
    const publisher = host.publisher(id)
    backlog.push(id)
    await publisher.start(RESEARCH_PLAN, { title })
    // It may have got a slot meanwhile: then the simulation already took over.
    const position = backlog.indexOf(id)
    if (position >= 0) await publisher.queued(position).catch((error) => report(error, id))
    return id
  }

  // Free slots plus free places in the backlog: what `start` may still take.
  const room = () => Math.max(0, concurrency - active) + Math.max(0, maxWaiting - backlog.length)

  return {
    /**
     * Starts `count` runs (1–20), as many as there is room for (a slot or a place in the backlog); resolves
     * with their ids once each is declared (none when the backlog is full).
     */
    async start(count = 1): Promise<string[]> {
      const ids: string[] = []
      const wanted = Math.min(20, Math.max(1, Number.isFinite(count) ? Math.floor(count) : 1))
      for (let i = 0; i < wanted && !closed && room() > 0; i++) ids.push(await startOne())
      return ids
    },
    room,
    list: (): RunSummary[] => runs.map((run) => ({ ...run })),
    /** Stops every simulation (their runs stay where they are). */
    close() {
      closed = true
      for (const controller of controllers.values()) controller.abort()
      backlog.length = 0
    },
  }
}
