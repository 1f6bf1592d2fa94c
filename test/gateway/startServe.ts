import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { repoRoot } from '../../bench/size'

export interface ServeProcess {
  /** `http://127.0.0.1:<port>` as the process printed it. */
  base: string
  ws: string
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Sends `signal` and resolves with the exit code (the process is killed after `ms`). */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | null>
}

/**
 * Starts `live-progress serve` as a child process on a free loopback port: the TypeScript source through tsx,
 * or (`bin`: a path to a built `cli.js`) the bin with plain node, as npx runs it.
 * @example
 * const serve = await startServe(['--publish-key', 'k'])
 * await fetch(`${serve.base}/healthz`)
 * await serve.stop()
 */
export function startServe(
  args: readonly string[] = [],
  options: { bin?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<ServeProcess> {
  const entry = options.bin ? [options.bin] : ['--import', 'tsx', join(repoRoot, 'src', 'gateway', 'cli.ts')]
  const child = spawn(process.execPath, [...entry, 'serve', '--port', '0', ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', ms = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), ms)
    const code = await exited
    clearTimeout(timer)
    return code
  }

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL')
      reject(new Error(`serve did not start in time:\n${out}\n${err}`))
    }, options.timeoutMs ?? 15_000)
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(out)
      if (!match) return
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      const base = match[1]!
      resolve({
        base,
        ws: `${base.replace(/^http/, 'ws')}/v1/live`,
        child,
        stdout: () => out,
        stderr: () => err,
        stop,
      })
    }
    child.stdout!.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before listening:\n${out}\n${err}`))
    })
  })
}

/** Runs the bin to completion (for `--help` and refusals): its exit code and output. */
export function runBin(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'gateway', 'cli.ts'), ...args],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    }),
  )
}

/** POSTs a batch to the publish API. */
export async function post(
  base: string,
  run: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${base}/v1/runs/${encodeURIComponent(run)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  }
}
