/**
 * Dashboard scale: 1,000 runs × 100 frames interleaved on one client, one frame per task, 1,000 RunProgress
 * rows on screen. Measured against the same pipeline with no React at all, side by side.
 */
import type { ProgressStore } from '../src/client/createProgressStore'
import { installDom } from './dom'
import { createLogStream } from './frameMix'
import { collect, fmt, fmtRatio, type Row, ratio, sideBySide, summarize } from './measure'
import { deliver } from './storm'

export async function benchDashboard(options: { runs?: number; framesPerRun?: number; reps?: number } = {}) {
  installDom()
  const React = await import('react')
  const { createRoot } = await import('react-dom/profiling')
  const { createProgressStore } = await import('../src/client/createProgressStore')
  const { ProgressProvider, RunProgress } = await import('../src/react/index')
  const h = React.createElement
  const runs = options.runs ?? 1_000
  const perRun = options.framesPerRun ?? 100
  const ids = Array.from({ length: runs }, (_, i) => `run-${i}`)
  // Round-robin interleaving of every run's log: the worst case for batching by run.
  const streams = ids.map((id, i) =>
    createLogStream({ events: perRun, seed: i + 1, run: id, epoch: 'e1', phases: 4 }),
  )
  const frames: string[] = []
  for (let step = 0; step < perRun; step++) {
    for (const stream of streams) {
      const frame = stream.next()
      if (frame) frames.push(JSON.stringify(frame))
    }
  }
  const caughtUp = (source: ProgressStore) => {
    const state = source.store.getState().runs
    return ids.every((id) => state[id]?.seq === perRun)
  }
  const container = document.getElementById('root')!
  let peakHeap = 0
  const sampleHeap = () => {
    const used = process.memoryUsage().heapUsed
    if (used > peakHeap) peakHeap = used
  }
  const commitsSeen: number[] = []
  const peaks: { react: number[]; bare: number[] } = { react: [], bare: [] }
  const retained: { react: number[]; bare: number[] } = { react: [], bare: [] }

  const withReact = async () => {
    let commits = 0
    let shownAt = 0
    let delivered = false
    const source = createProgressStore()
    const root = createRoot(container)
    const onRender = () => {
      commits++
      sampleHeap()
      // Done when a commit renders the caught-up state of every run.
      if (delivered && shownAt === 0 && caughtUp(source)) shownAt = performance.now()
    }
    root.render(
      h(
        ProgressProvider,
        { client: source },
        h(
          React.Profiler,
          { id: 'dashboard', onRender },
          ids.map((id) => h(RunProgress, { key: id, runId: id, showActivity: false, reducedMotion: true })),
        ),
      ),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    collect()
    peakHeap = 0
    commits = 0
    const start = performance.now()
    await deliver(frames, (text) => {
      source.ingest(text)
    })
    delivered = true
    for (let waited = 0; shownAt === 0; waited++) {
      if (waited > 5000) throw new Error('the dashboard never showed the caught-up state')
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    const rate = frames.length / ((shownAt - start) / 1000)
    commitsSeen.push(commits)
    sampleHeap()
    peaks.react.push(peakHeap)
    // What the caught-up dashboard keeps (the peak is mostly garbage between collections).
    collect()
    retained.react.push(process.memoryUsage().heapUsed)
    root.unmount()
    source.destroy()
    return rate
  }

  const bare = async () => {
    const source = createProgressStore()
    collect()
    peakHeap = 0
    const start = performance.now()
    let n = 0
    await deliver(frames, (text) => {
      source.ingest(text)
      if (++n % 1000 === 0) sampleHeap()
    })
    source.flush()
    if (!caughtUp(source)) throw new Error('bare pipeline did not catch up')
    const rate = frames.length / ((performance.now() - start) / 1000)
    sampleHeap()
    peaks.bare.push(peakHeap)
    collect()
    retained.bare.push(process.memoryUsage().heapUsed)
    source.destroy()
    return rate
  }

  // No warm-up round: one round is ~100 s on this machine, and 100,000 frames per round warm the JIT anyway.
  const results = await sideBySide(options.reps ?? 5, { react: withReact, bare }, 0)
  const n = results.react.samples.length
  const commits = summarize(commitsSeen.slice(-n))
  const heapReact = summarize(peaks.react.slice(-n))
  const heapBare = summarize(peaks.bare.slice(-n))
  const keptReact = summarize(retained.react.slice(-n))
  const keptBare = summarize(retained.bare.slice(-n))
  const rows: Row[] = [
    {
      measure: `dashboard: ${runs.toLocaleString('en-US')} runs × ${perRun} frames, pipeline alone (one frame per task)`,
      value: `${fmt(results.bare, 'k frames/s', 1e3, 0)}; peak heap ${fmt(heapBare, 'MB', 1 << 20, 0)}, after GC ${fmt(keptBare, 'MB', 1 << 20, 0)}`,
      ratio: '1×',
      target: '',
      verdict: '',
    },
    {
      measure: `dashboard: same with ${runs.toLocaleString('en-US')} RunProgress on screen`,
      value: `${fmt(results.react, 'k frames/s', 1e3, 0)}; ${fmt(commits, 'commits', 1, 0)}; peak heap ${fmt(heapReact, 'MB', 1 << 20, 0)}, after GC with the rows still mounted ${fmt(keptReact, 'MB', 1 << 20, 0)}`,
      ratio: `${fmtRatio(ratio(results.react, results.bare))} of the pipeline-alone rate`,
      target: '',
      verdict: '',
    },
  ]
  return { rows, notes: [] as string[] }
}
