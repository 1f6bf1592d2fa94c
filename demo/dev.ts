import { join } from 'node:path'
import { createServer } from 'vite'
import { demoRoot } from './buildPage'
import { createDemoServer } from './createDemoServer'
import { parseArgs, USAGE } from './parseArgs'

// `npm run demo:dev`: the Node demo server on a free port (API and hub only), and Vite's dev server with HMR
// in front of it, proxying /api and /live. Takes the same flags as `npm start`; --port is Vite's port.
async function main() {
  let args: ReturnType<typeof parseArgs>
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
  const backend = await createDemoServer({
    port: 0,
    host: '127.0.0.1',
    speed: args.speed,
    seed: args.seed,
    concurrency: args.concurrency,
    chaos: args.chaos,
    restartEveryMs: args.restartEveryMs,
    log: (line) => console.log(line),
  })
  if (args.runs > 0) await backend.board.start(args.runs)
  const target = backend.url.replace(/\/$/, '')
  const vite = await createServer({
    configFile: join(demoRoot, 'vite.config.ts'),
    server: {
      host: args.host,
      port: args.port ?? 5173,
      strictPort: args.port !== undefined,
      proxy: {
        '/api': { target },
        '/live': { target: target.replace(/^http/, 'ws'), ws: true },
      },
    },
  })
  await vite.listen()
  vite.printUrls()
  const stop = async () => {
    await vite.close()
    await backend.close()
    process.exit(0)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
