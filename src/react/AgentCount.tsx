import { type ComponentPropsWithoutRef, forwardRef } from 'react'
import type { LabelsOverride } from './labels'
import { cx } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'

export interface AgentCountProps extends Omit<ComponentPropsWithoutRef<'p'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
}

/**
 * The run's agents in one line: "Agents: 2 working, 3 done, 1 failed" (an agent the run's end interrupted counts
 * as failed). The counts come from the reducer, carried by snapshots, so they hold after chatter evicted the
 * agents' own lines. Renders nothing for a run without agents. `data-active` = agents working now.
 * @example
 * <AgentCount runId="r1" labels={{ agents: (c, n) => `${n.active} Agenten aktiv` }} />
 */
export const AgentCount = forwardRef<HTMLParagraphElement, AgentCountProps>(function AgentCount(
  { runId, labels: override, locale, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  // The reducer keeps the counts' identity until an agent starts or ends.
  const agents = useRun(runId, (run) => run.agents)
  if (!agents || agents.active + agents.completed + agents.failed === 0) return null
  const n = {
    active: format.number(agents.active),
    completed: format.number(agents.completed),
    failed: format.number(agents.failed),
  }
  return (
    <p data-active={agents.active} ref={ref} className={cx('lp-agents', className)} {...rest}>
      {labels.agents(agents, n)}
    </p>
  )
})
