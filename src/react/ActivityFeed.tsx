import { type ComponentPropsWithoutRef, forwardRef, type ReactElement, useRef, useState } from 'react'
import { isOpenEntry } from '../core/activityEntries'
import type { RunView } from '../core/RunView'
import { isTerminal } from '../core/runDraft'
import type { ActivityEntry } from '../protocol/types'
import { describeActivity } from './describeActivity'
import type { ProgressFormat } from './format'
import type { LabelsOverride, ProgressLabels } from './labels'
import { cx, shallowEqual } from './shallowEqual'
import { useClockOffset } from './useClockOffset'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'
import { useLabels } from './useLabels'
import { useOverflows } from './useOverflows'
import { useRun } from './useRun'
import { useStickToEnd } from './useStickToEnd'
import { useTicker } from './useTicker'

export interface ActivityFeedProps extends Omit<ComponentPropsWithoutRef<'div'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
  /** Newest entries shown at first; "Show N earlier" reveals this many more each time. Default 50. */
  max?: number
  /** How often running tool calls update their elapsed time. Default 1000 ms. */
  tickMs?: number
  /** Local clock for elapsed times (server clocks may differ: the offset is learned); defaults to `Date.now`. */
  now?: () => number
  /** Every entry shown, controlled: `false` starts again from the newest `max`. Uncontrolled when left out. */
  expanded?: boolean
  /** Called with `true` when "Show N earlier" reveals the last hidden entries (set `expanded` then, if controlled). */
  onExpandedChange?: (expanded: boolean) => void
}

/** A rendered row and the inputs it was rendered from. */
interface CachedRow {
  elapsed: string | null
  labels: ProgressLabels
  format: ProgressFormat
  element: ReactElement
}

/**
 * The rows as cached `<li>` elements, one per entry object. The reducer keeps the identity of entries that did
 * not change (a completion replaces its call's entry), and React skips an element it already rendered, so a
 * flush or a tick renders only new entries, completions and running calls whose elapsed words changed: no
 * re-render and no props comparison for the rest (cheaper than a memo component per row, which adds a fiber).
 * The cache is a pure function of its inputs, so a render React throws away leaves nothing wrong in it.
 */
function useRowElements(labels: ProgressLabels, format: ProgressFormat) {
  const cache = useRef(new WeakMap<ActivityEntry, CachedRow>())
  return (entry: ActivityEntry, elapsed: string | null): ReactElement => {
    const hit = cache.current.get(entry)
    if (hit && hit.elapsed === elapsed && hit.labels === labels && hit.format === format) return hit.element
    const { state, text } = describeActivity(entry, labels, format, elapsed)
    const element = (
      // Elapsed times differ between server and browser clocks: not a hydration error.
      <li
        key={entry.seq}
        className="lp-feed__item"
        data-state={state}
        data-type={entry.type}
        suppressHydrationWarning={state === 'running'}
      >
        {text}
      </li>
    )
    cache.current.set(entry, { elapsed, labels, format, element })
    return element
  }
}

/** The newest `limit` entries, after the older ones still open: running agents and calls stay in sight. */
function newestWithOpen(activity: ActivityEntry[], limit: number): ActivityEntry[] {
  const start = Math.max(0, activity.length - limit)
  if (start === 0) return activity
  const pinned = activity.slice(0, start).filter(isOpenEntry)
  const newest = activity.slice(start)
  return pinned.length === 0 ? newest : pinned.concat(newest)
}

const pick = (run: Pick<RunView, 'activity' | 'status'>) => ({
  activity: run.activity,
  live: !isTerminal(run.status),
})

/**
 * Agent and tool events of a run, oldest first: running tool calls with a live elapsed time (`data-state=
 * "running"`), completions paired with their call ("search done in 3 sec"), thinking lines, and the agents and
 * calls the run's end interrupted ("search interrupted after 4 sec"). Long runs are capped at the `max` newest
 * entries plus every older agent or call still running (chatter never hides open work), with a "Show N earlier"
 * button that reveals up to `max` more; the last reveal hands the button's focus to the list and keeps everything
 * shown as entries arrive (`expanded` controls that), and a new `runId` or `max` starts from `max` again. The list
 * stays scrolled to the newest entry unless the reader scrolled up. Items carry `data-state` ('running' | 'done' |
 * 'failed' | 'interrupted' | 'info') and `data-type` (the event type); the root's `data-state` is 'running' while a
 * call runs, else 'idle'. The list is named
 * (`labels.activity`); when it is taller than its capped height it takes keyboard focus (and `data-scrollable`),
 * so it can be scrolled without a mouse, and is no extra tab stop otherwise. Not a live region: screen readers
 * are not flooded.
 * @example
 * <ActivityFeed runId="r1" max={20} />
 * <ActivityFeed runId="r1" expanded={open} onExpandedChange={setOpen} />
 */
export const ActivityFeed = forwardRef<HTMLDivElement, ActivityFeedProps>(function ActivityFeed(
  {
    runId,
    labels: override,
    locale,
    max = 50,
    tickMs = 1000,
    now = Date.now,
    expanded,
    onExpandedChange,
    className,
    ...rest
  },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const feed = useRun(runId, pick, shallowEqual)
  // How many newest entries are shown: `max` again whenever the run, `max` or `expanded` changes (during render).
  const key = `${runId}|${max}|${expanded}`
  const [revealed, setRevealed] = useState({ key, limit: max })
  if (revealed.key !== key) setRevealed({ key, limit: max })
  const limit = expanded ? Number.POSITIVE_INFINITY : revealed.limit
  // The list holds the focus of a "Show N earlier" button that the last reveal unmounted.
  const [listHoldsFocus, setListHoldsFocus] = useState(false)
  const activity = feed?.activity ?? []
  const running =
    feed?.live === true && activity.some((entry) => entry.type === 'tool_executing' && isOpenEntry(entry))
  const t = useTicker(running, tickMs, now) - useClockOffset(activity, now)
  const row = useRowElements(labels, format)
  const list = useRef<HTMLOListElement>(null)
  const shown = newestWithOpen(activity, limit)
  const scrolls = useOverflows(list, shown.length)
  useStickToEnd(list, activity[activity.length - 1])
  const hidden = activity.length - shown.length
  const more = Math.min(hidden, max)
  // Once the button is gone (a controlled `expanded` may take a render longer).
  useIsomorphicLayoutEffect(() => {
    if (listHoldsFocus && hidden === 0) list.current?.focus()
  }, [listHoldsFocus, hidden])
  if (activity.length === 0) return null
  return (
    <div data-state={running ? 'running' : 'idle'} ref={ref} className={cx('lp-feed', className)} {...rest}>
      {more > 0 && (
        <button
          type="button"
          className="lp-feed__more"
          onClick={(event) => {
            const all = more === hidden
            // Revealing the rest unmounts this button: its focus would drop to <body>, so the list takes it.
            if (all && event.currentTarget.matches(':focus')) setListHoldsFocus(true)
            // Once everything is revealed it stays so: new entries must not push the oldest out of sight again.
            if (!all || expanded === undefined) {
              setRevealed({ key, limit: all ? Number.POSITIVE_INFINITY : limit + max })
            }
            if (all) onExpandedChange?.(true)
          }}
        >
          {labels.showEarlier(more, format.number(more))}
        </button>
      )}
      {/* A list taller than --lp-feed-height scrolls: keyboard users must reach it to scroll it (WCAG 2.1.1). */}
      <ol
        ref={list}
        className="lp-feed__list"
        aria-label={labels.activity}
        tabIndex={scrolls ? 0 : listHoldsFocus ? -1 : undefined}
        onBlur={listHoldsFocus ? () => setListHoldsFocus(false) : undefined}
        data-scrollable={scrolls ? '' : undefined}
      >
        {shown.map((entry) =>
          row(
            entry,
            running && entry.type === 'tool_executing' && isOpenEntry(entry)
              ? format.duration(t - entry.ts)
              : null,
          ),
        )}
      </ol>
    </div>
  )
})
