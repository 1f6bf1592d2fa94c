import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface RedisServer {
  url: string
  port: number
  dir: string
  pid(): number | undefined
  /** Runs `redis-cli` against it and returns its output (trimmed). */
  cli(...args: string[]): string
  /** Stops it by PID: SIGTERM (a clean shutdown, saving per its settings) or SIGKILL (a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port and dir (with other settings if given). */
  restart(settings?: readonly string[]): Promise<void>
  /** Stops it and removes its dir. */
  dispose(): Promise<void>
}

/** A free loopback port, as the OS hands one out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/**
 * Starts Debian's `redis-server` on a free loopback port with its own temp dir (no save unless `settings` ask
 * for one), for one suite. `settings` are extra command-line options, e.g. `['--appendonly', 'yes']`.
 * @example
 * const redis = await startRedis()
 * const store = createRedisStore({ url: redis.url })
 * await redis.dispose()
 */
export async function startRedis(settings: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'lp-redis-'))
  let child: ChildProcess | null = null
  let current = settings

  async function launch() {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...current]
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child = started
    let out = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000)
      started.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer)
          resolve()
        }
      })
      started.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`redis-server exited with ${code}:\n${out}`))
      })
    })
    started.removeAllListeners('exit')
  }

  async function stop(signal: NodeJS.Signals = 'SIGTERM') {
    const running = child
    child = null
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()))
    process.kill(running.pid!, signal)
    const timer = setTimeout(() => running.pid && process.kill(running.pid, 'SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }

  await launch()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid,
    cli: (...args) =>
      execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
        encoding: 'utf8',
      }).trim(),
    stop,
    async restart(next) {
      await stop()
      if (next) current = next
      await launch()
    },
    async dispose() {
      await stop('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
