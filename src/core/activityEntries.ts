import type { ActivityEntry, AgentCounts } from '../protocol/types'

/** An agent or tool call that started and has not ended: never evicted, closed as interrupted by the run's end. */
export const isOpenEntry = (entry: ActivityEntry): boolean =>
  (entry.type === 'agent_started' || entry.type === 'tool_executing') && entry.endedAt === undefined

/** What eviction keeps longest (PROTOCOL v1.1 decision 5): open agents and calls, and failures. */
export const isCriticalEntry = (entry: ActivityEntry): boolean => entry.ok === false || isOpenEntry(entry)

export type EntrySource = Partial<Omit<ActivityEntry, 'type'>> & { seq: number; ts: number }

/**
 * Agent counts read off an activity list, for a state that came without them (a snapshot of a server before
 * v1.1): the open agents exactly, the ended ones as far as the list still shows them. Undefined without agents.
 */
export function countAgents(activity: readonly ActivityEntry[]): AgentCounts | undefined {
  let active = 0
  let completed = 0
  let failed = 0
  for (const entry of activity) {
    if (entry.type === 'agent_completed') entry.ok === false ? failed++ : completed++
    else if (entry.type !== 'agent_started') continue
    else if (isOpenEntry(entry)) active++
    else if (entry.interrupted) failed++
  }
  return active + completed + failed > 0 ? { active, completed, failed } : undefined
}

/**
 * An activity entry, built field by field: the spread of an entry (their shapes vary) took more time than all
 * other work on a tool event. From an event, or from an open call that `tool_completed` ends.
 */
export function activityEntry(
  from: EntrySource,
  type: ActivityEntry['type'],
  ok = from.ok,
  endedAt?: number,
): ActivityEntry {
  const entry: ActivityEntry = { seq: from.seq, ts: from.ts, type }
  if (from.agent !== undefined) entry.agent = from.agent
  if (from.tool !== undefined) entry.tool = from.tool
  if (from.call !== undefined) entry.call = from.call
  if (from.text !== undefined) entry.text = from.text
  if (ok !== undefined) entry.ok = ok
  if (endedAt !== undefined) entry.endedAt = endedAt
  return entry
}

/**
 * `activity` cut to `limit` entries the way eviction cuts it: the oldest non-critical entries go first, then the
 * oldest closed failures; open entries never go (a list of more open entries than `limit` stays longer). The
 * same array when it fits.
 * @example
 * trimActivity(snapshot.state.activity, 200)
 */
export function trimActivity(activity: ActivityEntry[], limit: number): ActivityEntry[] {
  let excess = activity.length - Math.max(0, limit)
  if (excess <= 0) return activity
  const dropped = new Set<ActivityEntry>()
  const drop = (keep: (entry: ActivityEntry) => boolean) => {
    for (let i = 0; i < activity.length && excess > 0; i++) {
      const entry = activity[i]!
      if (dropped.has(entry) || keep(entry)) continue
      dropped.add(entry)
      excess--
    }
  }
  drop(isCriticalEntry)
  drop(isOpenEntry)
  return activity.filter((entry) => !dropped.has(entry))
}

/**
 * What a run draft knows of its activity list without scanning it: the entry of each call, the open entry of each
 * agent, how many entries are open, and where the oldest non-critical entry may be. It describes one list at a
 * time; `sync` rescans only when handed another list than the one it describes.
 */
export interface ActivityIndex {
  /** Describes `activity` from now on (one scan when it is not the list described so far). */
  sync(activity: ActivityEntry[]): void
  /** The draft copied the described list: same entries at the same places. */
  moved(from: ActivityEntry[], to: ActivityEntry[]): void
  /** The last entry of a call id. */
  call(id: string): ActivityEntry | undefined
  /** The open `agent_started` entry of an agent id. */
  agent(id: string): ActivityEntry | undefined
  /** Open agents and calls in the list. */
  readonly open: number
  /** `entry` was appended to the list. */
  added(entry: ActivityEntry): void
  /** The entry at `at` was replaced by `next`. */
  replaced(at: number, previous: ActivityEntry, next: ActivityEntry): void
  /** Removes from the list the entry eviction takes (decision 5); false when none may go. */
  evict(activity: ActivityEntry[]): boolean
}

/**
 * @example
 * const index = createActivityIndex()
 * index.sync(state.activity)
 * if (index.call(event.call)) return 'duplicate_call'
 */
export function createActivityIndex(): ActivityIndex {
  const calls = new Map<string, ActivityEntry>()
  const agents = new Map<string, ActivityEntry>()
  let described: ActivityEntry[] | null = null
  let open = 0
  // Every entry before this index is critical: eviction does not look at them again (a chatty stream behind
  // an open agent would otherwise scan past it on every event).
  let scanFrom = 0

  function count(entry: ActivityEntry, by: 1 | -1) {
    if (!isOpenEntry(entry)) return
    open += by
    if (entry.type !== 'agent_started' || entry.agent === undefined) return
    if (by > 0) agents.set(entry.agent, entry)
    else if (agents.get(entry.agent) === entry) agents.delete(entry.agent)
  }

  return {
    sync(activity) {
      if (described === activity) return
      described = activity
      calls.clear()
      agents.clear()
      open = 0
      scanFrom = 0
      for (const entry of activity) {
        if (entry.call !== undefined) calls.set(entry.call, entry)
        count(entry, 1)
      }
    },
    moved(from, to) {
      if (described === from) described = to
    },
    call: (id) => calls.get(id),
    agent: (id) => agents.get(id),
    get open() {
      return open
    },
    added(entry) {
      if (entry.call !== undefined) calls.set(entry.call, entry)
      count(entry, 1)
    },
    replaced(at, previous, next) {
      count(previous, -1)
      count(next, 1)
      if (next.call !== undefined && calls.get(next.call) === previous) calls.set(next.call, next)
      if (at < scanFrom && !isCriticalEntry(next)) scanFrom = at
    },
    evict(activity) {
      let at = scanFrom
      while (at < activity.length && isCriticalEntry(activity[at]!)) at++
      if (at === activity.length) {
        // Only critical entries: the oldest closed one (a failure) goes, an open one never.
        at = 0
        while (at < activity.length && isOpenEntry(activity[at]!)) at++
        if (at === activity.length) return false
      }
      scanFrom = at
      const gone = activity[at]!
      if (gone.call !== undefined && calls.get(gone.call) === gone) calls.delete(gone.call)
      // The shorter side moves by one place: the critical entries ahead of it (then shift() drops the first), or
      // the entries after it (then pop()). splice measured ~10× slower: it also builds an array of what it removed.
      const last = activity.length - 1
      if (at < last - at) {
        for (let i = at; i > 0; i--) activity[i] = activity[i - 1]!
        activity.shift()
      } else {
        for (let i = at; i < last; i++) activity[i] = activity[i + 1]!
        activity.pop()
      }
      return true
    },
  }
}
