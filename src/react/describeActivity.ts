import type { ActivityEntry } from '../protocol/types'
import type { ProgressFormat } from './format'
import type { ProgressLabels } from './labels'

/** A row's look: `data-state` and its words. */
export interface ActivityRow {
  state: 'info' | 'running' | 'done' | 'failed' | 'interrupted'
  text: string
}

/**
 * The words and state of one activity entry. An agent or call the run's end closed before it finished is
 * `interrupted`, with how long it had run.
 * @example
 * describeActivity(entry, labels, format, '3 sec') // { state: 'running', text: 'search running · 3 sec' }
 */
export function describeActivity(
  entry: ActivityEntry,
  labels: ProgressLabels,
  format: ProgressFormat,
  elapsed: string | null,
): ActivityRow {
  const agent = entry.agent ?? ''
  const tool = entry.tool ?? ''
  const ok = entry.ok !== false
  const took = entry.endedAt === undefined ? null : format.duration(entry.endedAt - entry.ts)
  if (entry.interrupted) {
    return {
      state: 'interrupted',
      text: labels.interrupted(entry.type === 'agent_started' ? agent : tool, took),
    }
  }
  switch (entry.type) {
    case 'agent_started':
      return { state: 'info', text: labels.agentStarted(agent) }
    case 'agent_completed':
      return { state: ok ? 'done' : 'failed', text: labels.agentCompleted(agent, ok) }
    case 'agent_thinking':
      return { state: 'info', text: labels.agentThinking(agent, entry.text ?? '') }
    case 'tool_executing':
      return { state: 'running', text: labels.toolRunning(tool, elapsed) }
    case 'tool_completed':
      return { state: ok ? 'done' : 'failed', text: labels.toolCompleted(tool, ok, took) }
  }
}
