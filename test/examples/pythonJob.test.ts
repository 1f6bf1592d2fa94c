// @vitest-environment node
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { repoRoot } from '../../bench/size'
import { createProgressClient } from '../../src/client/createProgressClient'
import { applyEvent, createRunState } from '../../src/core/applyEvent'
import type { RunState, SequencedFrame } from '../../src/protocol/types'
import { type ServeProcess, startServe } from '../gateway/startServe'
import { connectClient } from '../server/wire'

const KEY = 'python-example-key'
let serve: ServeProcess

beforeAll(async () => {
  serve = await startServe(['--publish-key', KEY, '--heartbeat', '500ms', '--ping', '30s'])
}, 20_000)
afterAll(async () => {
  await serve?.stop()
})

/** Runs examples/python/research_job.py with Debian's python3 (.ci/run installs it) to completion. */
function runPythonJob(run: string): Promise<{ code: number | null; output: string }> {
  const script = join(repoRoot, 'examples', 'python', 'research_job.py')
  const child = spawn(
    'python3',
    [script, '--base', serve.base, '--run', run, '--speed', '0.01', '--seed', '7'],
    {
      env: { PATH: process.env.PATH ?? '', LIVE_PROGRESS_PUBLISH_KEY: KEY, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

/** Runs a Python program given on stdin with examples/python on its path. */
function runPython(program: string): Promise<{ code: number | null; output: string }> {
  const child = spawn('python3', ['-'], {
    env: {
      PATH: process.env.PATH ?? '',
      PYTHONPATH: join(repoRoot, 'examples', 'python'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stdin.end(program)
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

// Child processes on a shared machine: generous timeouts; short heartbeats keep the tests quick, and pings
// (--ping 30s) stay out of the way of a test process too busy with its own load to answer them in time.
describe('examples/python: a standard-library research job published to live-progress serve', {
  timeout: 60_000,
}, () => {
  it('runs README’s Python snippet as written', async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
    const snippet = /## Any backend[\s\S]*?```python\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(snippet).toContain('Run("http://127.0.0.1:8080", "report-42", key=KEY)')
    const program = `KEY = ${JSON.stringify(KEY)}\n${snippet!.replace('http://127.0.0.1:8080', serve.base)}`
    const ran = await runPython(program)
    expect(ran.output).toBe('')
    expect(ran.code).toBe(0)
    const got = await fetch(`${serve.base}/v1/runs/report-42`, {
      headers: { authorization: `Bearer ${KEY}` },
    })
    expect(await got.json()).toMatchObject({ seq: 5, state: { status: 'completed' } })
  })

  it('ends exact on a following Node client: the log applied in order, 100%, never backward', async () => {
    const runId = 'python-report'
    const client = createProgressClient({ url: serve.ws, WebSocket: WebSocket as never, flush: 'sync' })
    client.follow(runId)
    const shown: number[] = []
    const unsubscribe = client.store.subscribe(({ runs }) => {
      const view = runs[runId]
      if (view) shown.push(view.displayed)
    })
    try {
      const job = await runPythonJob(runId)
      expect(job.output).toContain(`${runId}: completed`)
      expect(job.code).toBe(0)

      const head = (await (
        await fetch(`${serve.base}/v1/runs/${runId}`, { headers: { authorization: `Bearer ${KEY}` } })
      ).json()) as {
        epoch: string
        seq: number
        state: RunState
      }
      await vi.waitFor(() => expect(client.store.getState().runs[runId]?.seq).toBe(head.seq), {
        timeout: 10_000,
      })
      const view = client.store.getState().runs[runId]!
      expect(view).toMatchObject({ status: 'completed', epoch: head.epoch, displayed: 1, progress: 1 })

      // The whole log from seq 1, applied in order by the kit's reducer, is what the client shows.
      const raw = await connectClient(serve.ws)
      raw.send({ v: 1, type: 'subscribe', run: runId, epoch: head.epoch, after: 0 })
      await raw.until(() => raw.frames.filter((f) => 'seq' in f && f.run === runId).length === head.seq)
      const log = raw.frames.filter((f): f is SequencedFrame => 'seq' in f && f.run === runId)
      expect(log.map((f) => f.seq)).toEqual(Array.from({ length: head.seq }, (_, i) => i + 1))
      let replayed = createRunState()
      for (const frame of log) {
        const result = applyEvent(replayed, frame)
        expect(result.rejected).toBeUndefined()
        replayed = result.state
      }
      await raw.close()
      expect(replayed).toEqual(head.state)
      expect({ phases: view.phases, activity: view.activity, status: view.status }).toEqual({
        phases: replayed.phases,
        activity: replayed.activity,
        status: replayed.status,
      })
      // Six racing searches reported through task_progress, an agent with tool calls, six phases done.
      const search = replayed.phases.find((p) => p.id === 'search')!
      expect(search.tasks).toHaveLength(6)
      expect(replayed.phases.map((p) => p.status)).toEqual(Array(6).fill('done'))
      expect(replayed.activity.filter((a) => a.type === 'tool_completed')).toHaveLength(3)
      // The bar never moved backward.
      for (let i = 1; i < shown.length; i++) expect(shown[i]!).toBeGreaterThanOrEqual(shown[i - 1]!)
    } finally {
      unsubscribe()
      client.close()
    }
  })
})
