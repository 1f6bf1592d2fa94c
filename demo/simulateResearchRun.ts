import type { PhasePlanEntry } from '../src/protocol/types'

/** The publisher calls a simulated run makes: the hub's `hub.run(id)` satisfies it. */
export interface ResearchPublisher {
  start(plan: PhasePlanEntry[], options?: { title?: string }): Promise<unknown>
  queued(position: number, options?: { etaMs?: number }): Promise<unknown>
  phaseStarted(phase: string, options?: { tasks?: number }): Promise<unknown>
  phaseProgress(phase: string, done: number, total: number, label?: string): Promise<unknown>
  taskProgress(phase: string, task: string, done: number, total: number, label?: string): Promise<unknown>
  phaseCompleted(phase: string): Promise<unknown>
  transition(from: string, to: string): Promise<unknown>
  agentStarted(agent: string): Promise<unknown>
  agentThinking(agent: string, text: string): Promise<unknown>
  agentCompleted(agent: string, ok?: boolean): Promise<unknown>
  toolExecuting(call: string, tool: string, agent?: string): Promise<unknown>
  toolCompleted(call: string, tool: string, options?: { ok?: boolean; agent?: string }): Promise<unknown>
  complete(): Promise<unknown>
}

export interface SimulationOptions {
  /** Seed of the run's randomness: the same seed plays the same run. */
  seed?: number
  /** Multiplies every delay: 0.1 plays ten times faster. */
  speed?: number
  /** Parallel search tasks. */
  searchTasks?: number
  /** Runs ahead in the line for a free agent slot before the follow-ups (default: 1 or 2, from the seed). */
  agentSlotWait?: number
  /** Thinking lines per follow-up round: the agent is chatty (default: 8 to 20, from the seed). */
  thoughtsPerRound?: number
  /** Waits between steps; injected so tests and stories can drive time. */
  sleep?: (ms: number) => Promise<void>
  /** Stops the run early (the page's "cancel", a test's cleanup). */
  signal?: AbortSignal
  /** The question the run researches (its title). */
  title?: string
}

export const RESEARCH_PLAN: PhasePlanEntry[] = [
  { id: 'classify', label: 'Classify question', weight: 1, expectedMs: 1_500 },
  { id: 'search', label: 'Search sources', weight: 4 },
  { id: 'analyze', label: 'Analyze findings', weight: 2 },
  { id: 'followup', label: 'Agentic follow-ups', weight: 2, expectedMs: 8_000 },
  { id: 'synthesize', label: 'Write report', weight: 1, expectedMs: 3_000 },
]

const SOURCES = ['arXiv', 'PubMed', 'Semantic Scholar', 'news', 'patents', 'web', 'GitHub', 'standards']
const TOOLS = ['web_search', 'fetch_page', 'read_pdf', 'run_python']
const THOUGHTS = [
  'Two sources disagree on the sample size; checking the original paper.',
  'The 2023 survey supersedes the earlier one.',
  'Looking for a replication of the main result.',
  'Enough evidence on cost; moving on to risks.',
  'The abstract overstates the effect; the tables are more careful.',
  'This preprint was never peer reviewed; weighing it lower.',
  'Same lab, same data: these two papers count once.',
  'The confidence interval crosses zero; not a finding yet.',
]

/** mulberry32: a tiny seeded PRNG, so a run replays the same way from the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Plays a research run the way real backends do: classification, then 8 concurrent search tasks (announced up
 * front by `phase_started.tasks`) that finish at random times, analysis with counts, a wait in line for a free
 * agent slot (`queued` in the middle of the run, with an estimate), an agentic loop that reports no counts (a
 * chatty researcher thinking aloud while its tool calls run, a critic beside it), and synthesis. Resolves when
 * the run completes.
 */
export async function simulateResearchRun(
  run: ResearchPublisher,
  options: SimulationOptions = {},
): Promise<void> {
  const random = seededRandom(options.seed ?? 1)
  const speed = options.speed ?? 1
  const sleep = options.sleep ?? defaultSleep
  const wait = async (ms: number) => {
    if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted')
    await sleep(Math.round(ms * speed * (0.5 + random())))
  }
  const between = (low: number, high: number) => Math.round(low + random() * (high - low))

  await run.start(RESEARCH_PLAN, { title: options.title ?? 'How safe are solid-state batteries?' })
  await run.phaseStarted('classify')
  await wait(900)
  await run.phaseCompleted('classify')
  const sources = SOURCES.slice(0, options.searchTasks ?? 8)
  // Announced before any report: "0 of 8 searches running" rather than a count that grows as tasks show up.
  await run.phaseStarted('search', { tasks: sources.length })

  // The 5–10 parallel tasks of the incident report: each reports only its own counts, concurrently.
  const tasks = sources.map(async (source, index) => {
    const total = between(4, 12)
    for (let done = 1; done <= total; done++) {
      await wait(between(150, 600))
      await run.taskProgress('search', `task-${index + 1}`, done, total, source)
    }
  })
  await Promise.all(tasks)
  await run.transition('search', 'analyze')

  const documents = between(20, 40)
  for (let done = 0; done <= documents; done += between(1, 4)) {
    await run.phaseProgress('analyze', done, documents, 'documents')
    await wait(120)
  }
  await run.phaseProgress('analyze', documents, documents, 'documents')
  await run.phaseCompleted('analyze')

  // Back in line: the follow-ups need an agent, and the agent pool is busy. The next phase event ends the wait.
  for (let ahead = options.agentSlotWait ?? between(1, 2); ahead >= 0; ahead--) {
    await run.queued(ahead, { etaMs: (ahead + 1) * 4_000 })
    await wait(1_200)
  }
  await run.phaseStarted('followup')

  // The agentic loop: no item counts at all, only what the agents are doing. The researcher thinks aloud while
  // its calls run (chatter that must not hide the open call); the critic works beside it.
  const researcher = async () => {
    await run.agentStarted('researcher')
    const rounds = between(3, 6)
    for (let round = 1; round <= rounds; round++) {
      const call = `call-${round}`
      const tool = TOOLS[between(0, TOOLS.length - 1)]!
      await run.toolExecuting(call, tool, 'researcher')
      const thoughts = options.thoughtsPerRound ?? between(8, 20)
      for (let line = 0; line < thoughts; line++) {
        await run.agentThinking('researcher', THOUGHTS[between(0, THOUGHTS.length - 1)]!)
        await wait(between(60, 160))
      }
      await run.toolCompleted(call, tool, { ok: random() > 0.1, agent: 'researcher' })
    }
    await run.agentCompleted('researcher', true)
  }
  const critic = async () => {
    await wait(800)
    await run.agentStarted('critic')
    await run.toolExecuting('review-1', 'read_pdf', 'critic')
    await wait(between(1500, 3000))
    await run.toolCompleted('review-1', 'read_pdf', { ok: true, agent: 'critic' })
    await run.agentThinking('critic', 'The cost section cites one vendor only; asking for a second source.')
    await run.agentCompleted('critic', true)
  }
  await Promise.all([researcher(), critic()])
  await run.transition('followup', 'synthesize')
  await wait(1500)
  await run.phaseCompleted('synthesize')
  await run.complete()
}
