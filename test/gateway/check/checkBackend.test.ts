// @vitest-environment node
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../../../bench/size'
import { checkBackend } from '../../../src/gateway/check/checkBackend'
import type { Rule } from '../../../src/gateway/check/rules'
import { plan } from '../../server/wire'
import { post, startServe } from '../startServe'
import { type Fault, RUN, startFakeBackend } from './fakeBackend'

const options = { timeoutMs: 1500, heartbeats: 3, heartbeatMs: 400 }

// Child processes on a shared machine: generous timeouts; short heartbeats keep the tests quick, and pings
// (--ping 30s) stay out of the way of a test process too busy with its own load to answer them in time.
describe('live-progress check: the conformance checker', { timeout: 60_000 }, () => {
  it('passes the project’s own gateway on a run published over HTTP', async () => {
    const serve = await startServe(['--heartbeat', '500ms', '--ping', '30s'])
    try {
      const events = [
        { type: 'run_started', plan },
        { type: 'phase_started', phase: 'search' },
        ...[1, 2, 3].map((done) => ({ type: 'task_progress', phase: 'search', task: 'a', done, total: 3 })),
        { type: 'agent_started', agent: 'x' },
        { type: 'tool_executing', call: 'c', tool: 't', agent: 'x' },
      ]
      expect((await post(serve.base, 'checked', { events })).status).toBe(200)
      const report = await checkBackend(serve.ws, 'checked', options)
      expect(report.violations).toEqual([])
      expect(report.ok).toBe(true)
      expect(report.passed).toEqual(
        expect.arrayContaining([
          'subscribed-first',
          'replay-exact',
          'snapshot-equals-log',
          'heartbeat-cadence',
          'empty-run',
        ]),
      )
    } finally {
      await serve.stop()
    }
  })

  it('passes a correct server written from the spec', async () => {
    const fake = await startFakeBackend('none')
    try {
      const report = await checkBackend(fake.url, RUN, options)
      expect(report.violations).toEqual([])
    } finally {
      await fake.close()
    }
  })

  const broken: [Fault, Rule][] = [
    ['hole', 'seq-contiguous'],
    ['snapshot-wrong', 'snapshot-equals-log'],
    ['no-subscribed', 'subscribed-first'],
    ['slow-heartbeat', 'heartbeat-cadence'],
    ['wrong-head', 'heartbeat-head'],
    ['ignores-bad-frames', 'bad-frame-error'],
    ['replays-from-start', 'replay-exact'],
    ['stale-epoch-replay', 'stale-epoch'],
    ['big-frames', 'frame-size'],
    ['binary-ok', 'binary-frame'],
    ['ignores-unsubscribe', 'unsubscribe-stops'],
    ['bad-log', 'log-valid'],
  ]
  // Independent servers on their own ports: checked side by side (the waits are timers, not work).
  it.concurrent.each(broken)('catches a server with fault %s as a violation of %s', async (fault, rule) => {
    const fake = await startFakeBackend(fault)
    try {
      const report = await checkBackend(fake.url, RUN, options)
      expect(report.ok).toBe(false)
      expect(report.violations.map((v) => v.rule)).toContain(rule)
      for (const violation of report.violations) expect(violation.message.length).toBeGreaterThan(0)
    } finally {
      await fake.close()
    }
  })

  it('prints each violation with its rule, --json for machines, and exits 1 (0 when it conforms)', async () => {
    const fake = await startFakeBackend('wrong-head')
    try {
      const cli = (args: string[]) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            ['--import', 'tsx', join(repoRoot, 'src/gateway/cli.ts'), 'check', ...args],
            {
              cwd: repoRoot,
              stdio: ['ignore', 'pipe', 'inherit'],
            },
          )
          let out = ''
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
          child.once('close', (code) => resolve({ code, out }))
        })
      const json = await cli([fake.url, '--run', RUN, '--json', '--timeout', '1500ms'])
      expect(json.code).toBe(1)
      const report = JSON.parse(json.out) as {
        ok: boolean
        violations: { rule: string; statement: string }[]
      }
      expect(report.ok).toBe(false)
      expect(report.violations[0]).toMatchObject({
        rule: 'heartbeat-head',
        statement: expect.stringContaining('head'),
      })
      const text = await cli([fake.url, '--run', RUN, '--timeout', '1500ms'])
      expect(text.code).toBe(1)
      expect(text.out).toMatch(/✗ \[heartbeat-head\] head 14 while this connection had seq 13/)
    } finally {
      await fake.close()
    }
  })
})
