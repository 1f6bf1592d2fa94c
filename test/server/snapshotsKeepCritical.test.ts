import { decodeFrame, utf8Length } from '../../src/protocol/codec'
import { type ActivityEntry, MAX_FRAME_BYTES, type SnapshotFrame } from '../../src/protocol/types'
import { createProgressHub, type ProgressHub } from '../../src/server'
import { SNAPSHOT_TEXT_CUT, snapshotText } from '../../src/server/snapshotText'

/** PROTOCOL v1.1 decision 4: a snapshot carries the newest entries plus every open agent/call and every failure. */

function snapshotOf(hub: ProgressHub, run: string): SnapshotFrame {
  const texts: string[] = []
  const connection = hub.connect({ bufferedAmount: 0, send: (text) => texts.push(text), close() {} })
  connection.receive(JSON.stringify({ v: 1, type: 'subscribe', run }))
  const text = texts.find((t) => t.includes('"snapshot"'))!
  expect(utf8Length(text)).toBeLessThanOrEqual(MAX_FRAME_BYTES)
  const decoded = decodeFrame(text)
  if (!decoded.ok || decoded.frame.type !== 'snapshot')
    throw new Error(`not a snapshot: ${text.slice(0, 80)}`)
  return decoded.frame
}

const open = (a: ActivityEntry) =>
  (a.type === 'agent_started' || a.type === 'tool_executing') && a.endedAt === undefined

describe('snapshots keep what is still open and what failed', () => {
  it('a chatty run: every open agent and call and every failure, the newest lines, long texts cut', async () => {
    const hub = createProgressHub({ limits: { activityLimit: 1000, taskLimit: 256 } })
    const run = hub.run('chatty')
    await run.start([{ id: 'work', label: 'Work', weight: 1 }])
    for (let a = 0; a < 5; a++) {
      await run.agentStarted(`agent-${a}`)
      await run.toolExecuting(`open-${a}`, 'search', `agent-${a}`)
      await run.toolExecuting(`bad-${a}`, 'fetch', `agent-${a}`)
      await run.toolCompleted(`bad-${a}`, 'fetch', { ok: false })
    }
    // 980 lines of 2,000 characters: about 2 MB of activity for a 64 KiB frame.
    for (let i = 0; i < 980; i++) await run.agentThinking('agent-0', `${i} ${'x'.repeat(2000)}`)
    const { state } = snapshotOf(hub, 'chatty')
    expect(state.activity.filter(open).map((a) => a.call ?? a.agent)).toEqual([
      'agent-0',
      'open-0',
      'agent-1',
      'open-1',
      'agent-2',
      'open-2',
      'agent-3',
      'open-3',
      'agent-4',
      'open-4',
    ])
    expect(state.activity.filter((a) => a.ok === false).map((a) => a.call)).toEqual([
      'bad-0',
      'bad-1',
      'bad-2',
      'bad-3',
      'bad-4',
    ])
    const lines = state.activity.filter((a) => a.type === 'agent_thinking')
    expect(lines.length).toBeGreaterThan(100)
    expect(lines.at(-1)!.text).toMatch(/^979 x+…$/)
    for (const line of lines) expect(line.text!.length).toBeLessThanOrEqual(SNAPSHOT_TEXT_CUT)
    expect(state.agents).toEqual({ active: 5, completed: 0, failed: 0 })
    expect(hub.metrics()).toMatchObject({ snapshotsTrimmed: 1, snapshotsUnavailable: 0 })
    await hub.close()
  })

  it('cuts texts before it drops an entry', () => {
    const activity: ActivityEntry[] = Array.from({ length: 40 }, (_, i) => ({
      seq: i + 1,
      ts: 1,
      type: 'agent_thinking',
      agent: 'a',
      text: `${i} ${'y'.repeat(3000)}`,
    }))
    const { text, fit } = snapshotText('r', 'e1', 40, 1, { status: 'running', phases: [], activity })
    const decoded = decodeFrame(text)
    if (!decoded.ok || decoded.frame.type !== 'snapshot') throw new Error('not a snapshot')
    expect(fit).toBe('trimmed')
    expect(decoded.frame.state.activity).toHaveLength(40)
  })

  it('refuses a new call once every open one could no longer fit a snapshot, and still lets the run end', async () => {
    const hub = createProgressHub({ limits: { activityLimit: 1000, taskLimit: 256 } })
    const run = hub.run('wide')
    await run.start([{ id: 'work', label: 'Work', weight: 1 }])
    // Ids of 128 characters: each open call needs about 400 bytes of every snapshot.
    const id = (prefix: string, n: number) => `${prefix}-${n}-`.padEnd(128, 'i')
    let refused: unknown = null
    let opened = 0
    while (refused === null && opened < 1000) {
      await run.toolExecuting(id('call', opened), id('tool', 0), id('agent', 0)).then(
        () => opened++,
        (error: unknown) => {
          refused = error
        },
      )
    }
    expect(refused).toMatchObject({
      name: 'PublishError',
      reason: 'state_too_large',
      eventType: 'tool_executing',
    })
    expect(opened).toBeGreaterThan(50)
    await run.cancel('stopped')
    const { state } = snapshotOf(hub, 'wide')
    expect(state.status).toBe('cancelled')
    expect(state.activity).toHaveLength(opened)
    for (const entry of state.activity) expect(entry).toMatchObject({ ok: false, interrupted: true })
    await hub.close()
  })
})
