import { createStore } from 'zustand/vanilla'
import { createProgressStore } from '../src/client/createProgressStore'
import type { SchedulerEnv } from '../src/client/flushScheduler'
import { generateChattyMix } from './chattyMix'
import { generateFrameMix, meanLength } from './frameMix'
import { collect, collectYoung, fmt, fmtRatio, type Row, ratio, sideBySide, verdict } from './measure'

/** Timers that never fire: the bench flushes by hand at the end, like one animation frame would. */
export const manualEnv: SchedulerEnv = { setTimeout: () => 0, clearTimeout: () => {} }

export interface IngestOptions {
  frames?: number
  reps?: number
}

const rate = (frames: number, start: number) => frames / ((performance.now() - start) / 1000)

/** The physical floor: JSON.parse alone, result kept alive so the work cannot be optimized away. */
export function parseOnly(wire: readonly string[]): number {
  const start = performance.now()
  let sink: unknown
  for (let i = 0; i < wire.length; i++) sink = JSON.parse(wire[i]!)
  const r = rate(wire.length, start)
  if (sink === undefined) throw new Error('unreachable')
  return r
}

/** What people write first: parse and set() every frame into a Zustand store, last message wins. */
export function naive(wire: readonly string[]): number {
  const store = createStore<{ last: unknown; count: number }>()(() => ({ last: null, count: 0 }))
  let renders = 0
  store.subscribe(() => {
    renders++
  })
  const start = performance.now()
  for (let i = 0; i < wire.length; i++) store.setState({ last: JSON.parse(wire[i]!), count: i })
  const r = rate(wire.length, start)
  if (renders !== wire.length) throw new Error('naive baseline lost updates')
  return r
}

/** The kit: decode + validate + sequence + reduce + store, one flush at the end. */
export function pipeline(wire: readonly string[], expectSeq: number, run: string): number {
  const { store, ingest, flush, destroy } = createProgressStore({ env: manualEnv })
  const start = performance.now()
  for (let i = 0; i < wire.length; i++) ingest(wire[i]!)
  flush()
  const r = rate(wire.length, start)
  const view = store.getState().runs[run]
  // A fast wrong answer is no answer: the run must end exactly where the log does.
  if (view?.seq !== expectSeq || view.status !== 'completed' || view.stats.rejected !== 0) {
    throw new Error(`pipeline ended at seq ${view?.seq} (${view?.status}), expected ${expectSeq}`)
  }
  destroy()
  return r
}

export async function benchIngest(options: IngestOptions = {}): Promise<{ rows: Row[]; notes: string[] }> {
  const mix = generateFrameMix({ frames: options.frames ?? 100_000, seed: 42 })
  const run = JSON.parse(mix.ordered[0]!).run as string
  const variants = {
    parse: () => parseOnly(mix.wire),
    pipeline: () => pipeline(mix.wire, mix.lastSeq, run),
    naive: () => naive(mix.wire),
  }
  // Throughput: a scavenge between samples. Cold: a full GC between samples, which also discards the compiled
  // code of the previous sample's store (its closures all died), so every kit sample starts in the interpreter.
  const results = await sideBySide(options.reps ?? 7, variants, 1, collectYoung)
  const cold = await sideBySide(options.reps ?? 7, variants, 1, collect)
  // A chatty agent: every thinking line evicts past the open agents and calls at the front of a full list.
  const chatty = generateChattyMix(options.frames ?? 100_000)
  const chattyRun = await sideBySide(
    options.reps ?? 7,
    {
      parse: () => parseOnly(chatty.wire),
      pipeline: () => pipeline(chatty.wire, chatty.lastSeq, 'run-chatty'),
    },
    1,
    collectYoung,
  )
  const chattyVsParse = ratio(chattyRun.pipeline, chattyRun.parse)
  const coldVsParse = ratio(cold.pipeline, cold.parse)
  const vsParse = ratio(results.pipeline, results.parse)
  const vsNaive = ratio(results.pipeline, results.naive)
  const rows: Row[] = [
    {
      measure: 'JSON.parse alone (floor)',
      value: fmt(results.parse, 'M frames/s', 1e6),
      ratio: '1×',
      target: '',
      verdict: '',
    },
    {
      measure: 'naive: JSON.parse + set() per frame',
      value: fmt(results.naive, 'M frames/s', 1e6),
      ratio: fmtRatio(ratio(results.naive, results.parse)),
      target: '',
      verdict: '',
    },
    {
      measure: 'kit ingest: decode+validate+sequence+reduce+store (throughput: scavenge between samples)',
      value: fmt(results.pipeline, 'M frames/s', 1e6),
      ratio: `${fmtRatio(vsParse)} of JSON.parse; ${fmtRatio(vsNaive)} of naive`,
      target: '≥ 0.5× JSON.parse',
      verdict: verdict(vsParse.median >= 0.5),
    },
    {
      measure: 'kit ingest, cold: full GC between samples drops the compiled code, each sample re-JITs',
      value: fmt(cold.pipeline, 'M frames/s', 1e6),
      ratio: `${fmtRatio(coldVsParse)} of JSON.parse (${fmt(cold.parse, 'M frames/s', 1e6)})`,
      target: '',
      verdict: '',
    },
  ]
  rows.push({
    measure: 'kit ingest, chatty agent: thinking lines behind 8 open agents and calls, activity list full',
    value: fmt(chattyRun.pipeline, 'M frames/s', 1e6),
    ratio: `${fmtRatio(chattyVsParse)} of JSON.parse (${fmt(chattyRun.parse, 'M frames/s', 1e6)})`,
    target: '',
    verdict: '',
  })
  const notes = [
    `Ingest mix: ${mix.wire.length.toLocaleString('en-US')} frames on the wire (${mix.ordered.length.toLocaleString('en-US')} events, seed 42), mean ${meanLength(mix.wire).toFixed(0)} bytes; 5% displaced within 16, 1% duplicated; phase/task progress plus agent/tool events.`,
  ]
  return { rows, notes }
}
