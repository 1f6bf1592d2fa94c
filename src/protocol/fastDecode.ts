import { isCount, isEpoch, isFiniteNumber, isId, isSeq, isText } from './scalars'
import type { ServerFrame } from './types'

/**
 * Hand-written checks for the frames a live run sends all the time (progress, agent and tool events, heartbeats),
 * exactly as strict as `schemas.ts` for what they accept: a frame
 * that passes every check of its type and has no key beyond them is returned as it is (no copy: it is fresh
 * from JSON.parse and holds only known keys). Anything else returns null and goes through valibot, which
 * stays the authority: it decides the doubtful frames, strips unknown keys and writes the error messages.
 * The few frames per run of every other type (phase and run life cycle, plans, snapshots) are left to valibot.
 */

const isOptionalText = (x: unknown) => x === undefined || isText(x)
const isOptionalId = (x: unknown) => x === undefined || isId(x)
const isOptionalBoolean = (x: unknown) => x === undefined || typeof x === 'boolean'
const present = (x: unknown) => (x === undefined ? 0 : 1)

/** Own enumerable keys, counted without allocating (a `__proto__` key from JSON counts too). */
function keyCount(frame: object): number {
  let n = 0
  for (const _ in frame) n++
  return n
}

/** Keys a valid frame of `type` holds besides the envelope, or -1 when the schema has to decide. */
function bodyKeys(frame: Record<string, unknown>, type: string): number {
  switch (type) {
    case 'phase_progress':
    case 'task_progress': {
      const { phase, done, total, label } = frame
      if (!isId(phase) || !isCount(done) || !isCount(total) || done > total || !isOptionalText(label)) {
        return -1
      }
      if (type === 'phase_progress') return 3 + present(label)
      return isId(frame.task) ? 4 + present(label) : -1
    }
    case 'agent_started':
    case 'agent_completed':
      return isId(frame.agent) && isOptionalBoolean(frame.ok) ? 1 + present(frame.ok) : -1
    case 'agent_thinking':
      return isId(frame.agent) && isText(frame.text) ? 2 : -1
    case 'tool_executing':
    case 'tool_completed': {
      const { agent, ok } = frame
      if (!isId(frame.call) || !isId(frame.tool) || !isOptionalId(agent) || !isOptionalBoolean(ok)) return -1
      return 2 + present(agent) + present(ok)
    }
    default:
      return -1
  }
}

// v, type, run, head, ts; then `epoch` (absent only while head is 0: decision 10) and `idle` (v1.1), both optional.
function heartbeatKeys(frame: Record<string, unknown>): number {
  const { epoch, head, idle } = frame
  if (!isCount(head) || (epoch === undefined ? head !== 0 : !isEpoch(epoch))) return -1
  return idle === undefined || isCount(idle) ? 5 + present(epoch) + present(idle) : -1
}

/** A validated frame (the very object passed in), or null when the schema has to decide. `frame.v` is checked. */
export function fastDecode(frame: Record<string, unknown>, type: string): ServerFrame | null {
  const { run, ts } = frame
  if (!isId(run) || !isFiniteNumber(ts)) return null
  let keys: number
  if (type === 'heartbeat') keys = heartbeatKeys(frame)
  else if (!isEpoch(frame.epoch) || !isSeq(frame.seq)) return null
  else {
    const body = bodyKeys(frame, type)
    keys = body < 0 ? -1 : 6 + body // v, type, run, epoch, seq, ts
  }
  return keys >= 0 && keyCount(frame) === keys ? (frame as unknown as ServerFrame) : null
}
