/**
 * A chatty agent run, in seq order: `agents` agents start and each opens a tool call, then `frames` thinking lines
 * (every 50th line a call ends and the agent opens the next one), then everything ends. With the activity list full,
 * every line evicts past the open agents and calls at its front: the case that must not cost a scan per event.
 */
export function generateChattyMix(frames: number, agents = 8): { wire: string[]; lastSeq: number } {
  const run = 'run-chatty'
  const epoch = 'e-chatty'
  const wire: string[] = []
  let seq = 0
  let ts = 1_763_794_800_000
  const push = (body: Record<string, unknown>) => {
    seq++
    ts += 7
    wire.push(JSON.stringify({ v: 1, type: body.type, run, epoch, seq, ts, ...body }))
  }
  const calls = new Array<number>(agents).fill(0)
  push({ type: 'run_started', plan: [{ id: 'research', label: 'Researching', weight: 1 }] })
  push({ type: 'phase_started', phase: 'research', tasks: agents })
  for (let a = 0; a < agents; a++) {
    push({ type: 'agent_started', agent: `agent-${a}` })
    push({ type: 'tool_executing', call: `a${a}-c0`, tool: 'web_search', agent: `agent-${a}` })
  }
  for (let i = 0; i < frames; i++) {
    const a = i % agents
    if (i % 50 === 49) {
      const call = `a${a}-c${calls[a]}`
      push({ type: 'tool_completed', call, tool: 'web_search', agent: `agent-${a}`, ok: true })
      calls[a]! += 1
      push({ type: 'tool_executing', call: `a${a}-c${calls[a]}`, tool: 'web_search', agent: `agent-${a}` })
    } else {
      push({ type: 'agent_thinking', agent: `agent-${a}`, text: `Reading source ${i}: checking the claim` })
    }
  }
  for (let a = 0; a < agents; a++) {
    push({ type: 'tool_completed', call: `a${a}-c${calls[a]}`, tool: 'web_search', agent: `agent-${a}` })
    push({ type: 'agent_completed', agent: `agent-${a}`, ok: true })
  }
  push({ type: 'phase_completed', phase: 'research' })
  push({ type: 'run_completed' })
  return { wire, lastSeq: seq }
}
