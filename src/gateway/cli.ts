#!/usr/bin/env node
import { serve } from './serve'

const USAGE = `Usage: live-progress <command> [options]

Commands:
  serve          run the gateway: viewers over WebSocket and SSE, the HTTP publish API, metrics
  check <url>    check a backend that implements the protocol itself (--run <id>)
  redis-script <append|rotate>
                 print a Redis engine Lua script, for a backend that appends from another language

live-progress <command> --help lists a command's options.
`

/** The `live-progress` bin: dispatches to a command; exits with its code. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  const out = (line: string) => process.stdout.write(`${line}\n`)
  const err = (line: string) => process.stderr.write(`${line}\n`)
  if (command === 'serve') {
    return serve({
      argv: rest,
      env: process.env,
      out,
      err,
      onStop(stop) {
        let stopping = false
        const onSignal = () => {
          if (stopping) return
          stopping = true
          stop().then(
            () => process.exit(0),
            (error: unknown) => {
              err(`live-progress serve: shutdown failed: ${(error as Error)?.message ?? error}`)
              process.exit(1)
            },
          )
        }
        process.on('SIGTERM', onSignal)
        process.on('SIGINT', onSignal)
      },
    })
  }
  if (command === 'redis-script') {
    const { REDIS_SCRIPTS } = await import('../server/redis/scripts')
    const name = rest[0]
    if (name !== 'append' && name !== 'rotate') {
      err('live-progress redis-script: name one of: append, rotate')
      return 2
    }
    process.stdout.write(REDIS_SCRIPTS[name])
    return 0
  }
  if (command === 'check')
    return (await import('./check/checkCommand')).checkCommand({ argv: rest, out, err })
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    out(USAGE)
    return command === undefined ? 2 : 0
  }
  err(`live-progress: unknown command "${command}"\n\n${USAGE}`)
  return 2
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
