import { CALM, type ChaosSettings, parseChaos, parseDuration } from './chaosPeer'

export interface DemoArgs {
  /** Undefined: 5173 or the first free port after it. */
  port: number | undefined
  host: string
  speed: number
  seed: number
  /** Runs started when the server comes up. */
  runs: number
  concurrency: number
  chaos: ChaosSettings
  restartEveryMs: number
  /** Rebuild the page even if it looks fresh. */
  build: boolean
  help: boolean
}

export const USAGE = `Usage: npm start -- [options]

  --port <n>             port (default 5173, or the first free one after it; 0 = any free port)
  --host <addr>          interface to bind (default 127.0.0.1)
  --speed <x>            simulation delay multiplier (default 1; 0.2 = five times faster)
  --runs <n>             runs to start right away (default 4)
  --concurrency <n>      runs simulated at once; the rest are queued (default 3)
  --seed <n>             seed of the simulations and the chaos (default 1)
  --chaos <spec>         e.g. reorder=0.1,dup=0.05,drop=0.02,kill=15s
  --restart-every <t>    restart the hub every t (e.g. 30s)
  --build                rebuild the page even if it looks up to date
`

function number(name: string, text: string | undefined, min: number, max: number): number {
  const value = Number(text)
  if (text === undefined || text === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`--${name} must be a number from ${min} to ${max}, got "${text ?? ''}"`)
  }
  return value
}

/** Parses the demo's command line (`--flag value` or `--flag=value`); throws a RangeError with a clear message. */
export function parseArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = {
    port: undefined,
    host: '127.0.0.1',
    speed: 1,
    seed: 1,
    runs: 4,
    concurrency: 3,
    chaos: { ...CALM },
    restartEveryMs: 0,
    build: false,
    help: false,
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] =
      arg.includes('=') && arg.startsWith('--')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined]
    const value = () => inline ?? argv[++i]
    switch (flag) {
      case '--port':
        args.port = number('port', value(), 0, 65535)
        break
      case '--host':
        args.host = value() ?? ''
        if (args.host === '') throw new RangeError('--host needs an address')
        break
      case '--speed':
        args.speed = number('speed', value(), 0.01, 100)
        break
      case '--seed':
        args.seed = number('seed', value(), 0, 2 ** 31)
        break
      case '--runs':
        args.runs = number('runs', value(), 0, 20)
        break
      case '--concurrency':
        args.concurrency = number('concurrency', value(), 1, 20)
        break
      case '--chaos':
        args.chaos = parseChaos(value() ?? '', args.chaos)
        break
      case '--restart-every':
        args.restartEveryMs = parseDuration(value() ?? '')
        break
      case '--build':
        args.build = true
        break
      case '-h':
      case '--help':
        args.help = true
        break
      default:
        throw new RangeError(`unknown option ${arg}`)
    }
  }
  return args
}
