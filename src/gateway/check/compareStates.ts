import type { ActivityEntry, PhaseState, RunState } from '../../protocol/types'

/** JSON with sorted keys: another server may write an object's keys in another order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'undefined'
}

export const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

/** A phase without what a snapshot may leave out to fit one frame: the progress labels. */
function withoutLabels(phase: PhaseState): PhaseState {
  const { detail: _, ...rest } = phase
  if (rest.tasks) rest.tasks = rest.tasks.map(({ label: _label, ...task }) => task)
  return rest
}

/** Why a snapshot's activity entry is not the replayed one of the same seq, or null. */
function activityDiffers(entry: ActivityEntry, replayed: ActivityEntry | undefined): string | null {
  if (!replayed) return `activity seq ${entry.seq} (${entry.type}) is not in the log's activity`
  const { text, ...rest } = entry
  const { text: replayedText, ...replayedRest } = replayed
  if (!same(rest, replayedRest))
    return `activity seq ${entry.seq}: ${JSON.stringify(rest)} ≠ ${JSON.stringify(replayedRest)}`
  // v1.1 decision 4: texts may be cut to fit the frame.
  if (text !== undefined && !(replayedText ?? '').startsWith(text))
    return `activity seq ${entry.seq}: text differs`
  return null
}

/**
 * How a snapshot's state differs from the state its log replays to, or null when they agree. Agreement allows
 * what PROTOCOL lets a snapshot drop to fit 64 KiB (v1.1 decision 4): old activity entries, cut texts, and
 * progress labels; everything else (status, title, queue position, error, every phase's counts, statuses, times
 * and tasks) must be equal.
 */
export function compareStates(snapshot: RunState, replayed: RunState): string | null {
  for (const key of ['status', 'title', 'queuePosition', 'error'] as const) {
    if (!same(snapshot[key], replayed[key])) {
      return `${key}: snapshot ${JSON.stringify(snapshot[key])}, log ${JSON.stringify(replayed[key])}`
    }
  }
  if (snapshot.phases.length !== replayed.phases.length) {
    return `${snapshot.phases.length} phases in the snapshot, ${replayed.phases.length} in the log`
  }
  for (let i = 0; i < snapshot.phases.length; i++) {
    const mine = snapshot.phases[i]!
    const theirs = replayed.phases[i]!
    const labelsDropped = mine.detail === undefined && !mine.tasks?.some((task) => task.label !== undefined)
    const a = labelsDropped ? withoutLabels(mine) : mine
    const b = labelsDropped ? withoutLabels(theirs) : theirs
    if (!same(a, b))
      return `phase ${theirs.id}: snapshot ${JSON.stringify(mine)}, log ${JSON.stringify(theirs)}`
  }
  const bySeq = new Map(replayed.activity.map((entry) => [entry.seq, entry]))
  let last = 0
  for (const entry of snapshot.activity) {
    if (entry.seq <= last) return `activity out of order at seq ${entry.seq}`
    last = entry.seq
    const differs = activityDiffers(entry, bySeq.get(entry.seq))
    if (differs) return differs
  }
  return null
}
