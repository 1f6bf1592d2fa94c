/**
 * What the README's one-liner costs an app: a minimal app (`createProgressClient` + `ProgressProvider` +
 * `RunProgress` + `styles.css`) built for real by Vite (production mode, default minifiers, every chunk and
 * stylesheet it emits, lazy ones included), minus the same app rendering a plain `<div>` (React itself, which
 * the app has anyway). A second build splits the same app into one chunk per package to show the parts.
 * The app takes the kit from the package's own bundles (vite.config.ts, built first without declarations), as an
 * app's bundler takes it from node_modules.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import react from '@vitejs/plugin-react'
import { build, type Rolldown } from 'vite'

export interface AppFile {
  name: string
  kind: 'js' | 'css'
  /** Loaded by a dynamic import, after the page's first script. */
  lazy: boolean
  min: number
  gzip: number
}

export interface OneLinerSize {
  /** min+gzip bytes the one-liner adds to an app: every file of the app minus the plain React app's. */
  total: { min: number; gzip: number }
  /** The same, only what loads before the first paint (lazy chunks left out). */
  initial: { min: number; gzip: number }
  /** The app split into one chunk per package, each gzipped alone (so they add up to a little more). */
  parts: { name: string; min: number; gzip: number }[]
  app: AppFile[]
  baseline: AppFile[]
}

const ONE_LINER = `import { createProgressClient } from 'live-progress'
import { ProgressProvider, RunProgress } from 'live-progress/react'
import 'live-progress/styles.css'
import { createRoot } from 'react-dom/client'

const client = createProgressClient({ url: 'ws://localhost:8080' })

createRoot(document.getElementById('root')!).render(
  <ProgressProvider client={client}>
    <RunProgress runId="report-42" />
  </ProgressProvider>,
)
`

const PLAIN_REACT = `import { createRoot } from 'react-dom/client'

createRoot(document.getElementById('root')!).render(<div>report-42</div>)
`

const HTML = `<!doctype html>
<html lang="en">
  <body>
    <div id="root"></div>
    <script type="module" src="./main.tsx"></script>
  </body>
</html>
`

/** Which package a module belongs to, for the split build (first match wins). */
const PARTS: { name: string; test: RegExp }[] = [
  {
    name: 'react + react-dom (the app has them anyway)',
    test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/,
  },
  {
    name: 'framer-motion (what the kit uses)',
    test: /node_modules[\\/](framer-motion|motion-dom|motion-utils|tslib)[\\/]/,
  },
  { name: 'live-progress/react', test: /[\\/]kit[\\/]react\.js$/ },
  {
    name: 'live-progress (client, core, protocol + valibot, zustand, reconnecting-websocket)',
    test: /[\\/]kit[\\/]|node_modules[\\/](valibot|zustand|reconnecting-websocket)[\\/]/,
  },
]

function writeApp(dir: string, main: string): void {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'index.html'), HTML)
  writeFileSync(join(dir, 'main.tsx'), main)
}

/**
 * The package's bundles as `npm run build` makes them (vite.config.ts, lib mode), declarations left out, into
 * `outDir`: what an app's bundler gets from node_modules/live-progress.
 */
async function buildKit(repoRoot: string, outDir: string): Promise<void> {
  process.env.LIVE_PROGRESS_NO_DTS = '1'
  try {
    await build({
      configFile: join(repoRoot, 'vite.config.ts'),
      root: repoRoot,
      mode: 'production',
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    })
  } finally {
    delete process.env.LIVE_PROGRESS_NO_DTS
  }
}

/**
 * Runs `builds` under NODE_ENV=production, as `npm run build` and an app's production build do, whatever the
 * caller runs under (vitest: 'test'): Vite takes from it the JSX transform, `import.meta.env.PROD` and the
 * `development|production` export conditions, so dependencies' development branches drop out.
 */
async function underProduction<T>(builds: () => Promise<T>): Promise<T> {
  const { NODE_ENV } = process.env
  process.env.NODE_ENV = 'production'
  try {
    return await builds()
  } finally {
    // Assigning undefined would leave the string 'undefined'.
    if (NODE_ENV === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = NODE_ENV
  }
}

async function buildApp(kit: string, dir: string, split: boolean): Promise<AppFile[]> {
  const [main, reactEntry, styles] = ['index.js', 'react.js', 'styles.css'].map((file) =>
    join(kit, file),
  ) as [string, string, string]
  const result = await build({
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    root: dir,
    mode: 'production',
    // Under vitest NODE_ENV is 'test': an app's production build sees 'production' (React's production build).
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    plugins: [react()],
    resolve: {
      alias: [
        { find: /^live-progress$/, replacement: main },
        { find: /^live-progress\/react$/, replacement: reactEntry },
        { find: /^live-progress\/styles\.css$/, replacement: styles },
      ],
    },
    build: {
      write: false,
      rolldownOptions: split
        ? {
            output: {
              codeSplitting: {
                // Each module in the chunk of its own package, not pulled into the group of the first importer.
                includeDependenciesRecursively: false,
                groups: PARTS.map((part, index) => ({
                  name: `part${index}`,
                  test: part.test,
                  priority: PARTS.length - index,
                })),
              },
            },
          }
        : {},
    },
  })
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[]
  const files: AppFile[] = []
  for (const item of outputs.flatMap((o) => o.output)) {
    if (item.type === 'chunk') {
      files.push(measure(item.fileName, 'js', item.isDynamicEntry && !item.isEntry, item.code))
    } else if (item.fileName.endsWith('.css')) {
      files.push(measure(item.fileName, 'css', false, item.source.toString()))
    }
  }
  return files
}

function measure(name: string, kind: AppFile['kind'], lazy: boolean, code: string): AppFile {
  return { name, kind, lazy, min: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length }
}

const sum = (files: readonly AppFile[]) => ({
  min: files.reduce((n, f) => n + f.min, 0),
  gzip: files.reduce((n, f) => n + f.gzip, 0),
})

/** Builds the package, then the one-liner app and the plain React app (four real Vite builds, seconds). */
export function measureOneLiner(repoRoot: string): Promise<OneLinerSize> {
  return underProduction(() => buildOneLiner(repoRoot))
}

async function buildOneLiner(repoRoot: string): Promise<OneLinerSize> {
  const cache = join(repoRoot, 'node_modules', '.cache', 'one-liner')
  const kit = join(cache, 'kit')
  await buildKit(repoRoot, kit)
  writeApp(join(cache, 'app'), ONE_LINER)
  writeApp(join(cache, 'baseline'), PLAIN_REACT)
  const app = await buildApp(kit, join(cache, 'app'), false)
  const baseline = await buildApp(kit, join(cache, 'baseline'), false)
  const split = await buildApp(kit, join(cache, 'app'), true)
  const all = sum(app)
  const plain = sum(baseline)
  const first = sum(app.filter((f) => !f.lazy))
  const parts = PARTS.slice(1).map((part, index) => {
    const files = split.filter((f) => f.name.includes(`part${index + 1}`))
    return { name: part.name, ...sum(files) }
  })
  parts.push({ name: 'live-progress/styles.css', ...sum(split.filter((f) => f.kind === 'css')) })
  return {
    total: { min: all.min - plain.min, gzip: all.gzip - plain.gzip },
    initial: { min: first.min - plain.min, gzip: first.gzip - plain.gzip },
    parts,
    app,
    baseline,
  }
}

export const ONE_LINER_NAME = 'one-liner app (README Quick start): kit + framer-motion + styles.css'

/** The one-liner's rows for the size table: its total, what loads first (if anything is lazy), and each part. */
export function oneLinerRows(size: OneLinerSize): { name: string; min: number; gzip: number }[] {
  return [
    { name: ONE_LINER_NAME, ...size.total },
    ...(size.initial.gzip !== size.total.gzip
      ? [{ name: 'one-liner app, before the first paint (lazy chunks left out)', ...size.initial }]
      : []),
    ...size.parts.map((part) => ({ ...part, name: `↳ ${part.name}` })),
  ]
}
