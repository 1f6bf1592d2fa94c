// @vitest-environment node
import { serve } from '../../src/gateway/serve'
import { createViewerTokens } from '../../src/gateway/viewerTokens'
import { connectClient, plan } from '../server/wire'
import { post, runBin, startServe } from './startServe'

const SECRET = 'a-viewer-secret-of-at-least-32-chars!'

// Child processes on a shared machine: generous timeouts; short heartbeats keep the tests quick, and pings
// (--ping 30s) stay out of the way of a test process too busy with its own load to answer them in time.
describe('live-progress serve: flags, safety and shutdown', { timeout: 60_000 }, () => {
  // The command in-process through its io seam: no child process needed to read flags.
  const run = async (argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await serve({
      argv,
      env: {},
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      onStop: () => {},
    })
    return { code, stdout: out.join('\n'), stderr: err.join('\n') }
  }

  it('--help lists every flag and the environment variables', async () => {
    const { code, stdout } = await run(['--help'])
    expect(code).toBe(0)
    for (const flag of [
      '--port',
      '--host',
      '--publish-key',
      '--viewer-secret',
      '--public',
      '--cors',
      '--publish-rate',
      '--heartbeat',
      '--log-limit',
      '--max-subscriptions',
      'LIVE_PROGRESS_PUBLISH_KEY',
      'LIVE_PROGRESS_VIEWER_SECRET',
    ]) {
      expect(stdout).toContain(flag)
    }
  })

  it('refuses to listen beyond loopback without a viewer secret unless --public, and rejects bad flags', async () => {
    const refused = await run(['--host', '0.0.0.0', '--port', '0', '--publish-key', 'k'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('--viewer-secret')
    const bad = await run(['--heartbeat', 'soon'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--heartbeat must be a duration')
    expect((await run(['--nope'])).code).toBe(2)
    expect((await run(['--viewer-secret', 'short'])).stderr).toContain('at least 32')
    // The bin itself: an unknown command is refused with its usage.
    const bin = await runBin(['frobnicate'])
    expect(bin.code).toBe(2)
    expect(bin.stderr).toContain('Usage: live-progress <command>')
  })

  it('takes keys from the environment, checks viewer tokens on WebSocket and SSE, and answers CORS', async () => {
    const gateway = await startServe(
      ['--cors', 'https://app.example', '--heartbeat', '200ms', '--ping', '30s'],
      {
        env: { LIVE_PROGRESS_PUBLISH_KEY: 'env-key', LIVE_PROGRESS_VIEWER_SECRET: SECRET },
      },
    )
    try {
      const auth = { authorization: 'Bearer env-key' }
      expect(
        (await post(gateway.base, 'team-7/report', { events: [{ type: 'run_started', plan }] }, auth)).status,
      ).toBe(200)
      expect(
        (await post(gateway.base, 'other', { events: [{ type: 'run_started', plan }] }, auth)).status,
      ).toBe(200)
      const tokens = createViewerTokens(SECRET)
      // No token: the upgrade is refused with 401.
      await expect(connectClient(gateway.ws)).rejects.toThrow(/401/)
      await expect(connectClient(`${gateway.ws}?token=forged`)).rejects.toThrow(/401/)
      const token = await tokens.sign({ prefixes: ['team-7/'] }, 60)
      const viewer = await connectClient(`${gateway.ws}?token=${token}`)
      viewer.send({ v: 1, type: 'subscribe', run: 'team-7/report' })
      viewer.send({ v: 1, type: 'subscribe', run: 'other' })
      await viewer.waitFor((f) => f.type === 'snapshot' && f.run === 'team-7/report')
      await viewer.waitFor((f) => f.type === 'error' && f.code === 'forbidden' && f.run === 'other')
      expect(viewer.frames.some((f) => f.type === 'snapshot' && f.run === 'other')).toBe(false)
      await viewer.close()
      // An expired token is refused.
      const expired = await tokens.sign({ runs: ['other'] }, -10)
      await expect(connectClient(`${gateway.ws}?token=${expired}`)).rejects.toThrow(/401/)
      // SSE: the same token in the query.
      const exact = await tokens.sign({ runs: ['other'] }, 60)
      expect((await fetch(`${gateway.base}/v1/sse?run=other`)).status).toBe(401)
      const controller = new AbortController()
      const sse = await fetch(`${gateway.base}/v1/sse?run=other&token=${exact}`, {
        signal: controller.signal,
      })
      expect(sse.status).toBe(200)
      expect(sse.headers.get('access-control-allow-origin')).toBe('https://app.example')
      const reader = sse.body!.getReader()
      let text = ''
      while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value)
      controller.abort()
      // GET a run: the publish key or a token for it.
      expect((await fetch(`${gateway.base}/v1/runs/other`)).status).toBe(403)
      expect((await fetch(`${gateway.base}/v1/runs/other?token=${exact}`)).status).toBe(200)
      const preflight = await fetch(`${gateway.base}/v1/runs/other/events`, { method: 'OPTIONS' })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key')
    } finally {
      await gateway.stop()
    }
  })

  it('answers 429 with Retry-After over a run’s publish budget, other runs unaffected', async () => {
    const gateway = await startServe(['--publish-rate', '1', '--publish-burst', '3'])
    try {
      const events = [
        { type: 'run_started', plan },
        { type: 'queued', position: 2 },
      ]
      expect((await post(gateway.base, 'hot', { events })).status).toBe(200)
      const over = await post(gateway.base, 'hot', { events })
      expect(over.status).toBe(429)
      expect(over.body.error).toMatchObject({ code: 'rate_limited' })
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect((await post(gateway.base, 'cold', { events })).status).toBe(200)
    } finally {
      await gateway.stop()
    }
  })

  it('on SIGTERM stops accepting, closes viewers with 1001 and exits 0', async () => {
    const gateway = await startServe()
    const viewer = await connectClient(gateway.ws)
    viewer.send({ v: 1, type: 'subscribe', run: 'bye' })
    expect((await post(gateway.base, 'bye', { events: [{ type: 'run_started', plan }] })).status).toBe(200)
    await viewer.waitFor((f) => f.type === 'run_started')
    const code = await gateway.stop('SIGTERM')
    expect(code).toBe(0)
    expect(await viewer.waitClosed()).toBe(1001)
    await expect(fetch(`${gateway.base}/healthz`)).rejects.toThrow()
  })
})
