import { type ChildProcess, fork } from 'node:child_process'

/** A request to a child process and its answer, matched by id. */
export interface IpcRequest {
  id: number
  command: string
  args?: unknown
}
export interface IpcReply {
  id: number
  ok: boolean
  value?: unknown
  error?: string
}

/**
 * Serves a child process's side: answers each `{id, command, args}` from the parent with the handler's result
 * (or its error). The first message it sends is `{ready: value}`.
 * @example
 * serveIpc({ stats: () => readStats() }, { port })
 */
export function serveIpc(handlers: Record<string, (args: unknown) => unknown>, ready: unknown): void {
  process.on('message', (message: IpcRequest) => {
    const handler = handlers[message.command]
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.command}`)
        return handler(message.args)
      })
      .then(
        (value) => process.send?.({ id: message.id, ok: true, value } satisfies IpcReply),
        (error: unknown) =>
          process.send?.({ id: message.id, ok: false, error: String(error) } satisfies IpcReply),
      )
  })
  // The parent going away ends the child: no process outlives the suite. A clean exit also writes --cpu-prof.
  process.on('disconnect', () => process.exit(0))
  process.on('SIGTERM', () => process.exit(0))
  process.send?.({ ready })
}

export interface ChildHandle<Ready> {
  ready: Ready
  pid: number
  call<T>(command: string, args?: unknown, timeoutMs?: number): Promise<T>
  /** Resolves with the exit code (or signal) if the child dies. */
  readonly exited: Promise<string>
  readonly alive: boolean
  stop(): Promise<void>
}

/** Forks `file` (plain JavaScript) with an IPC channel and waits for its `{ready}` message. */
export function startChild<Ready>(
  file: string,
  options: { execArgv?: string[]; args?: string[]; timeoutMs?: number } = {},
): Promise<ChildHandle<Ready>> {
  const child: ChildProcess = fork(file, options.args ?? [], {
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let next = 1
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>()
  let alive = true
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false
      for (const entry of waiting.values()) entry.reject(new Error(`child exited (${code ?? signal})`))
      waiting.clear()
      resolve(String(code ?? signal))
    })
  })
  child.on('message', (message: IpcReply | { ready: unknown }) => {
    if ('ready' in message) return
    const entry = waiting.get(message.id)
    if (!entry) return
    waiting.delete(message.id)
    if (message.ok) entry.resolve(message.value)
    else entry.reject(new Error(message.error))
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${file} did not start`))
    }, options.timeoutMs ?? 20_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${file} exited with ${code} before it was ready`))
    })
    child.once('message', (message: { ready?: unknown }) => {
      clearTimeout(timer)
      resolve({
        ready: message.ready as Ready,
        pid: child.pid!,
        exited,
        get alive() {
          return alive
        },
        call<T>(command: string, args?: unknown, timeoutMs = 120_000) {
          return new Promise<T>((done, fail) => {
            if (!alive) return fail(new Error('child is not running'))
            const id = next++
            const timer = setTimeout(() => {
              waiting.delete(id)
              fail(new Error(`${command} timed out after ${timeoutMs} ms`))
            }, timeoutMs)
            waiting.set(id, {
              resolve: (value) => {
                clearTimeout(timer)
                done(value as T)
              },
              reject: (error) => {
                clearTimeout(timer)
                fail(error)
              },
            })
            child.send({ id, command, args } satisfies IpcRequest)
          })
        },
        async stop() {
          if (!alive) return
          const gone = exited.then(() => {})
          child.kill('SIGTERM')
          const force = setTimeout(() => child.kill('SIGKILL'), 3000)
          await gone
          clearTimeout(force)
        },
      })
    })
  })
}
