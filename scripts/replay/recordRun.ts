import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { HeartbeatFrame, SequencedFrame } from '../../src/index'
import { createRandom } from './random'

export const RUN_ID = 'research-42'
export const EPOCH = 'e-7f3a'
/** Server clock at the start of the recording (2026-11-22T07:00:00Z). */
export const T0 = 1_795_330_800_000

export type LogFrame = SequencedFrame | HeartbeatFrame

type Body = { type: SequencedFrame['type'] } & Record<string, unknown>

/**
 * Records one realistic research run the way a backend would emit it: queued behind two others, then
 * five phases — planning (counts), six parallel searches (task_progress), reading (a total that grows),
 * an agent that reports no counts, and writing — with heartbeats every few seconds.
 */
export function recordRun(seed = 42): LogFrame[] {
  const random = createRandom(seed)
  const log: LogFrame[] = []
  let seq = 0
  let ts = T0
  let lastBeat = ts
  const envelope = () => ({ v: 1 as const, run: RUN_ID, epoch: EPOCH })
  const emit = (body: Body, afterMs: number) => {
    ts += afterMs
    if (ts - lastBeat >= 5_000) {
      lastBeat = ts
      log.push({ ...envelope(), type: 'heartbeat', head: seq, ts: ts - 1 })
    }
    seq++
    log.push({ ...envelope(), seq, ts, ...body } as SequencedFrame)
  }

  emit(
    {
      type: 'run_started',
      title: 'Market scan: solid-state batteries',
      plan: [
        { id: 'plan', label: 'Planning the research', weight: 1 },
        { id: 'search', label: 'Searching 6 sources', weight: 4 },
        { id: 'read', label: 'Reading the results', weight: 3 },
        { id: 'analyse', label: 'Analysing (agent)', weight: 2, expectedMs: 24_000 },
        { id: 'write', label: 'Writing the report', weight: 2 },
      ],
    },
    0,
  )
  emit({ type: 'queued', position: 2 }, 300)
  emit({ type: 'queued', position: 1 }, 2_500)
  emit({ type: 'queued', position: 0 }, 2_200)

  emit({ type: 'phase_started', phase: 'plan' }, 400)
  for (const [done, label] of [
    [1, 'Reading the brief'],
    [2, 'Choosing sources'],
    [3, 'Drafting queries'],
  ] as const) {
    emit({ type: 'phase_progress', phase: 'plan', done, total: 3, label }, random.int(500, 1_200))
  }
  emit({ type: 'phase_completed', phase: 'plan' }, 200)

  // Six searches run at once and report separately: the backend cannot sum them safely.
  emit({ type: 'phase_started', phase: 'search' }, 150)
  const sources = ['arxiv', 'patents', 'news', 'filings', 'scholar', 'forums']
  const tasks = sources.map((id) => ({ id, done: 0, total: random.int(4, 9) }))
  while (tasks.some((task) => task.done < task.total)) {
    const task = random.pick(tasks.filter((t) => t.done < t.total))
    task.done++
    // A source may discover more pages as it goes.
    if (task.done === task.total - 1 && random.chance(0.3)) task.total += random.int(1, 3)
    emit(
      {
        type: 'task_progress',
        phase: 'search',
        task: task.id,
        done: task.done,
        total: task.total,
        label: `${task.id}: page ${task.done}`,
      },
      random.int(80, 450),
    )
  }
  emit({ type: 'phase_completed', phase: 'search' }, 250)

  // Reading: the total grows as links are followed.
  emit({ type: 'phase_started', phase: 'read' }, 200)
  let total = 12
  for (let done = 1; done <= total; done++) {
    if (done === 6 || done === 11) total += random.int(2, 4)
    emit(
      { type: 'phase_progress', phase: 'read', done, total, label: `Document ${done} of ${total}` },
      random.int(250, 700),
    )
  }
  emit({ type: 'phase_completed', phase: 'read' }, 200)

  // The agent reports what it does, never how far along it is: the client must estimate.
  emit({ type: 'phase_started', phase: 'analyse' }, 150)
  emit({ type: 'agent_started', agent: 'analyst' }, 100)
  const steps: [string, string][] = [
    ['Comparing energy densities across 14 cells', 'table_extract'],
    ['Checking the patent claims against the news', 'cross_check'],
    ['Estimating cost per kWh for 2027', 'calculator'],
    ['Looking for contradicting sources', 'web_search'],
  ]
  steps.forEach(([thought, tool], index) => {
    emit({ type: 'agent_thinking', agent: 'analyst', text: thought }, random.int(1_500, 3_500))
    const call = `call-${index + 1}`
    emit({ type: 'tool_executing', call, tool, agent: 'analyst' }, random.int(300, 800))
    emit({ type: 'tool_completed', call, tool, agent: 'analyst', ok: true }, random.int(1_500, 4_000))
  })
  emit({ type: 'agent_completed', agent: 'analyst', ok: true }, 600)
  emit({ type: 'phase_completed', phase: 'analyse' }, 100)

  emit({ type: 'phase_started', phase: 'write' }, 150)
  const sections = ['Summary', 'Technology', 'Players', 'Costs', 'Risks']
  sections.forEach((section, index) => {
    emit(
      { type: 'phase_progress', phase: 'write', done: index + 1, total: sections.length, label: section },
      random.int(700, 1_600),
    )
  })
  emit({ type: 'phase_completed', phase: 'write' }, 200)
  emit({ type: 'run_completed' }, 100)
  return log
}

export const RECORDING = fileURLToPath(new URL('./recorded-run.jsonl', import.meta.url))

// `tsx scripts/replay/recordRun.ts` writes the recording the replay uses.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const log = recordRun()
  writeFileSync(RECORDING, `${log.map((frame) => JSON.stringify(frame)).join('\n')}\n`)
  console.log(`wrote ${log.length} frames to ${RECORDING}`)
}
