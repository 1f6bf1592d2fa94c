import { execFile, execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import { repoRoot } from '../../bench/size'
import { post, startServe } from '../gateway/startServe'
import { connectClient, plan } from '../server/wire'

const run = promisify(execFile)
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name)

// One `npm run build` (it also runs scripts/checkPackage.ts), one `npm pack`, then every check on that tarball,
// unpacked into a throwaway app whose node_modules links the kit's dependencies from this repo.
let dir: string
let tarball: string
let app: string
const unpacked = () => join(app, 'node_modules', 'live-progress')

function link(name: string, into = app) {
  const target = join(into, 'node_modules', name)
  mkdirSync(dirname(target), { recursive: true })
  symlinkSync(join(repoRoot, 'node_modules', name), target, 'dir')
}

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'pipe', timeout: 240_000 })
  dir = mkdtempSync(join(tmpdir(), 'live-progress-pack-'))
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
      cwd: repoRoot,
      encoding: 'utf8',
    }),
  ) as { filename: string }[]
  tarball = join(dir, packed!.filename)
  app = join(dir, 'app')
  mkdirSync(join(app, 'node_modules', 'live-progress'), { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked(), '--strip-components=1'])
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n')
  for (const name of [
    'valibot',
    'zustand',
    'react',
    'react-dom',
    'framer-motion',
    'ws',
    // The bin's own dependencies: `npx live-progress serve` gets them with the package.
    'jose',
    'prom-client',
    'redis',
  ]) {
    link(name)
  }
  for (const name of ['@types/react', '@types/react-dom', '@types/ws', '@types/node']) link(name)
}, 300_000)

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('the packed tarball', () => {
  test('publint finds nothing to report, suggestions included', async () => {
    // The unpacked tarball is exactly what is published, so publint needs no packing of its own.
    const { messages, pkg } = await publint({
      pkgDir: unpacked(),
      pack: false,
      level: 'suggestion',
      strict: true,
    })
    expect(messages.map((message) => formatMessage(message, pkg))).toEqual([])
  })

  // attw reads every entry of the tarball: 12–20 s on a shared, loaded machine.
  test('attw: types resolve in node10, node16 from ESM and bundler; only CommonJS-only resolution is left out', async () => {
    // attw exits 1 when it reports anything and cuts a piped stdout short at exit: its JSON goes to a file instead.
    const report = join(dir, 'attw.json')
    await run('sh', ['-c', '"$0" "$1" --format json > "$2"', bin('attw'), tarball, report], {
      cwd: dir,
    }).catch(() => {})
    const { analysis } = JSON.parse(readFileSync(report, 'utf8')) as {
      analysis: { problems: { kind: string; entrypoint: string; resolutionKind?: string }[] }
    }
    // A CommonJS `require` of an ES module is what Node ≥ 20.19 does by itself (require(esm)); attw still flags it.
    const left = analysis.problems.filter(
      (p) => !(p.kind === 'CJSResolvesToESM' && p.resolutionKind === 'node16-cjs'),
    )
    expect(left).toEqual([])
    expect(analysis.problems.length).toBeGreaterThan(0) // the rule above is really exercised
  }, 60_000)

  test('no declaration imports framer-motion: its types stay out of apps type-checking with skipLibCheck off', () => {
    const declarations = (path: string): string[] =>
      readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? declarations(join(path, entry.name))
          : entry.name.endsWith('.d.ts')
            ? [join(path, entry.name)]
            : [],
      )
    const files = declarations(join(unpacked(), 'dist'))
    expect(files.length).toBeGreaterThan(10)
    const imports = /(from|import\()\s*['"]framer-motion/
    expect(files.filter((file) => imports.test(readFileSync(file, 'utf8')))).toEqual([])
  })

  test('ships the licence of the code it bundles from other packages (reconnecting-websocket, MIT)', () => {
    const pkg = JSON.parse(readFileSync(join(unpacked(), 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    // Bundled from its source, so not a dependency apps install; its notice travels in dist instead.
    expect(pkg.dependencies['reconnecting-websocket']).toBeUndefined()
    const notice = readFileSync(join(unpacked(), 'dist', 'THIRD_PARTY_LICENSES.md'), 'utf8')
    expect(notice).toContain('## reconnecting-websocket')
    expect(notice).toContain('Copyright (c) 2018 Pedro Ladaria')
  })

  test('Node ≥ 20.19 can require() every entry (require(esm)), and import them', async () => {
    const script = `
      const main = require('live-progress')
      const adapters = require('live-progress/adapters')
      const server = require('live-progress/server')
      const react = require('live-progress/react')
      console.log(JSON.stringify([typeof main.createProgressClient, typeof adapters.createSseTransport,
        typeof server.createProgressHub, typeof react.RunProgress]))`
    const required = await run(process.execPath, ['--no-warnings', '--input-type=commonjs', '-e', script], {
      cwd: app,
    })
    expect(JSON.parse(required.stdout)).toEqual(['function', 'function', 'function', 'object'])
    const imported = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { ProgressBar } from 'live-progress/react'; console.log(typeof ProgressBar)",
      ],
      { cwd: app },
    )
    expect(imported.stdout.trim()).toBe('object')
  })

  test('the bin (package.json bin → dist/cli.js) serves with plain node from the unpacked package', async () => {
    const pkg = JSON.parse(readFileSync(join(unpacked(), 'package.json'), 'utf8')) as {
      bin: Record<string, string>
      dependencies: Record<string, string>
    }
    const cli = join(unpacked(), pkg.bin['live-progress']!)
    expect(readFileSync(cli, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/)
    for (const dep of ['ws', 'jose', 'prom-client', 'redis', 'valibot'])
      expect(pkg.dependencies[dep]).toBeDefined()
    const serve = await startServe(['--publish-key', 'k'], { bin: cli, cwd: app })
    try {
      const viewer = await connectClient(serve.ws)
      viewer.send({ v: 1, type: 'subscribe', run: 'packed' })
      const events = [
        { type: 'run_started', plan },
        { type: 'phase_started', phase: 'search' },
        { type: 'run_completed' },
      ]
      const answer = await post(serve.base, 'packed', { events }, { authorization: 'Bearer k' })
      expect(answer).toMatchObject({ status: 200, body: { seq: 3 } })
      await viewer.waitFor((f) => f.type === 'run_completed')
      expect(await (await fetch(`${serve.base}/metrics`)).text()).toContain(
        'live_progress_hub_events_total 3',
      )
      await viewer.close()
    } finally {
      expect(await serve.stop()).toBe(0)
    }
  })

  // attw covers node10 and node16 resolution; this is the strictest consumer, once (skipLibCheck off costs ~15 s).
  test('an app type-checks against it with skipLibCheck off: no error in any declaration it pulls', async () => {
    const project = join(app, 'strict')
    mkdirSync(project, { recursive: true })
    writeFileSync(
      join(project, 'app.tsx'),
      `import { createProgressClient } from 'live-progress'
import { createSseTransport } from 'live-progress/adapters'
import { ProgressBar, ProgressProvider, RunProgress, useDisplayedProgress } from 'live-progress/react'
import { createProgressHub } from 'live-progress/server'
import 'live-progress/styles.css'

const client = createProgressClient({ url: 'ws://localhost:8080' })
export const App = () => (
  <ProgressProvider client={client}>
    <RunProgress runId="r1" />
    <ProgressBar runId="r1" reducedMotion />
  </ProgressProvider>
)
export const value = (): number => useDisplayedProgress('r1').get()
export const parts = [createSseTransport, createProgressHub]
`,
    )
    const compilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      jsx: 'react-jsx',
      target: 'es2022',
      lib: ['es2023', 'dom'],
      module: 'esnext',
      moduleResolution: 'bundler',
      types: ['node'],
    }
    // The README's Next.js recipe, verbatim: its server page and its client component.
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8')
    const recipe = [...readme.matchAll(/```tsx\n\/\/ app\/reports\/\[id\]\/(\w+\.tsx)\n([\s\S]*?)```/g)]
    expect(recipe.map(([, file]) => file)).toEqual(['page.tsx', 'ReportProgress.tsx'])
    for (const [, file, code] of recipe) writeFileSync(join(project, file!), code!)
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['app.tsx', 'page.tsx', 'ReportProgress.tsx'] }),
    )
    const result = await run(bin('tsc'), ['-p', project], { cwd: project }).catch(
      (error: { stdout: string }) => error,
    )
    expect(result.stdout).toBe('')
  }, 120_000)
})
