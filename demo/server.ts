import { ensurePageBuilt, pageDir } from './buildPage'
import { createDemoServer, type DemoServer } from './createDemoServer'
import { type DemoArgs, parseArgs, USAGE } from './parseArgs'

const DEFAULT_PORT = 5173

const isPortTaken = (error: unknown) => (error as { code?: string } | null)?.code === 'EADDRINUSE'

async function listen(args: DemoArgs): Promise<DemoServer> {
  const options = {
    host: args.host,
    pageDir,
    speed: args.speed,
    seed: args.seed,
    concurrency: args.concurrency,
    chaos: args.chaos,
    restartEveryMs: args.restartEveryMs,
    log: (line: string) => console.log(line),
  }
  if (args.port !== undefined) {
    try {
      return await createDemoServer({ ...options, port: args.port })
    } catch (error) {
      if (!isPortTaken(error)) throw error
      console.error(
        `Port ${args.port} on ${args.host} is already in use. Pick another with --port <n>, or --port 0 for any free port.`,
      )
      process.exit(1)
    }
  }
  // No port asked for: the first free one from 5173 on.
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + 20; port++) {
    try {
      return await createDemoServer({ ...options, port })
    } catch (error) {
      if (!isPortTaken(error)) throw error
    }
  }
  return createDemoServer({ ...options, port: 0 })
}

async function main() {
  let args: DemoArgs
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  if (args.help) {
    console.log(USAGE)
    return
  }
  await ensurePageBuilt({ force: args.build, log: (line) => console.log(line) })
  const server = await listen(args)
  if (args.runs > 0) await server.board.start(args.runs)
  console.log(`live-progress demo: ${server.url}`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`\n${signal}: shutting down…`)
    // A second signal, or a close that hangs, still ends the process.
    setTimeout(() => process.exit(1), 3000).unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
