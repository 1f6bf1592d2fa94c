import { useEffect, useState, useSyncExternalStore } from 'react'
import { useConnection, useRun } from '../../src/react/index'
import type { StoryBackend } from './createStoryBackend'

export interface ChaosStatsProps {
  backend: StoryBackend
  runId: string
  /** React commits of the kit's subtree so far (counted by a Profiler; development builds only). */
  commits: () => number | null
  /** How often the counters that live outside the store (chaos, client, hub) are read again, ms. */
  refreshMs?: number
}

/** Re-renders every `ms` while mounted: for counters that are plain objects, not stores. */
function useEvery(ms: number) {
  const [, setTick] = useState(0)
  useEffect(() => {
    const timer = setInterval(() => setTick((tick) => tick + 1), ms)
    return () => clearInterval(timer)
  }, [ms])
}

/**
 * What happened on the wire and what the kit made of it: the sequencer's counts beside the chaos that caused
 * them, the connection, and how often the naive reading went backward.
 */
export function ChaosStats({ backend, runId, commits, refreshMs = 250 }: ChaosStatsProps) {
  useEvery(refreshMs)
  const stats = useRun(runId, (run) => run.stats)
  const { status } = useConnection()
  const naive = useSyncExternalStore(backend.naive.subscribe, () => backend.naive.get(runId))
  const chaos = backend.chaosStats()
  const client = backend.client.stats()
  const rendered = commits()
  const rows: [string, string, number | string][] = [
    ['applied', 'Applied exactly once', stats?.applied ?? 0],
    ['duplicates', 'Duplicates dropped', stats?.duplicates ?? 0],
    ['reordered', 'Held for their turn (reordered)', stats?.reordered ?? 0],
    ['gaps', 'Gaps noticed', stats?.gaps ?? 0],
    ['resyncs', 'Resyncs asked for', stats?.resyncs ?? 0],
    ['sent', 'Frames the chaos sent', chaos.sent],
    ['received', 'Frames the client received', backend.client.store.getState().stats.frames],
    [
      'chaos',
      'Chaos: held back / copied / dropped',
      `${chaos.reordered} / ${chaos.duplicated} / ${chaos.dropped}`,
    ],
    ['connection', 'Connection', status],
    ['opens', 'Connections opened', client.opens],
    ['drops', 'Connections lost', client.drops],
    ['silences', 'Silent connections dropped', client.silences],
    ['restarts', 'Hub restarts', backend.host.restarts],
    ['backward', 'Naive bar went backward', naive?.backward ?? 0],
  ]
  if (rendered !== null) rows.push(['commits', 'React commits of the kit', rendered])
  return (
    <section className="story-stats" aria-label="Stats">
      <dl>
        {rows.map(([key, label, value]) => (
          <div key={key} data-stat={key}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}
