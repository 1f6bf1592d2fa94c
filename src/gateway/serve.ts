import { createGateway } from './createGateway'
import { isLoopback, parseServeArgs, SERVE_USAGE } from './parseServeArgs'

/** A Redis URL without its password, for logs. */
const redactUrl = (url: string) => url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@')

export interface CliIo {
  argv: readonly string[]
  env: Record<string, string | undefined>
  out: (line: string) => void
  err: (line: string) => void
  /** Called with a stop function; the CLI wires it to SIGTERM and SIGINT. */
  onStop: (stop: () => Promise<void>) => void
}

/**
 * `live-progress serve`: starts the gateway, prints where it listens, and shuts down cleanly on a signal.
 * Resolves with the exit code when it could not start (2: bad flags or an unsafe setup, 1: listen failed);
 * a running server never resolves.
 */
export async function serve(io: CliIo): Promise<number> {
  let args: ReturnType<typeof parseServeArgs>
  try {
    args = parseServeArgs(io.argv, io.env)
  } catch (error) {
    io.err(`live-progress serve: ${(error as Error).message}\n\n${SERVE_USAGE}`)
    return 2
  }
  if (args.help) {
    io.out(SERVE_USAGE)
    return 0
  }
  const { publishKey, viewerSecret } = args.gateway
  if (!isLoopback(args.host) && !args.public && (publishKey === undefined || viewerSecret === undefined)) {
    const missing = [
      publishKey === undefined && '--publish-key',
      viewerSecret === undefined && '--viewer-secret',
    ]
    io.err(
      `live-progress serve: refusing to listen on ${args.host} without ${missing.filter(Boolean).join(' and ')}: ` +
        'anyone who reaches it could publish or follow any run. Set them, or pass --public if that is intended.',
    )
    return 2
  }
  const gateway = createGateway({
    ...args.gateway,
    onError: (error, context) =>
      io.err(`live-progress serve: ${context}: ${(error as Error)?.message ?? error}`),
  })
  let base: string
  try {
    base = await gateway.listen(args.port, args.host)
  } catch (error) {
    io.err(`live-progress serve: cannot listen on ${args.host}:${args.port}: ${(error as Error).message}`)
    await gateway.close()
    return 1
  }
  const ws = base.replace(/^http/, 'ws')
  io.out(`live-progress serve: listening on ${base}`)
  io.out(`  viewers   ${ws}/v1/live  ·  ${base}/v1/sse?run=<run>`)
  io.out(`  publish   POST ${base}/v1/runs/<run>/events  ·  GET ${base}/v1/runs/<run>`)
  io.out(`  ops       ${base}/healthz  ·  ${base}/metrics`)
  if (args.gateway.redis)
    io.out(`  shared    runs on ${redactUrl(args.gateway.redis.url)} with every instance`)
  if (publishKey === undefined)
    io.err('live-progress serve: no publish key: anyone who reaches the port may publish')
  if (viewerSecret === undefined)
    io.err('live-progress serve: no viewer secret: every viewer may follow every run')
  io.onStop(() => gateway.close())
  return new Promise<number>(() => {})
}
