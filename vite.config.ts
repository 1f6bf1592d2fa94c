import { copyFileSync, existsSync, writeFileSync } from 'node:fs'
import { dirname, isAbsolute, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'
import dts from 'vite-plugin-dts'
import { bundledLicenses, bundledSources, trimBundledSources } from './scripts/bundledSources'
import { protocolJsonSchema } from './scripts/protocolJsonSchema'

const root = fileURLToPath(new URL('.', import.meta.url))
const from = (path: string) => `${root}${path}`

// Entries are optional while the kit is being written: build whatever exists.
const entries = Object.fromEntries(
  Object.entries({
    index: 'src/index.ts',
    adapters: 'src/client/adapters/index.ts',
    react: 'src/react/index.ts',
    server: 'src/server/index.ts',
    gateway: 'src/gateway/index.ts',
    // The `live-progress` bin (package.json `bin`): serve and check, run by plain node.
    cli: 'src/gateway/cli.ts',
  })
    .filter(([, path]) => existsSync(from(path)))
    .map(([name, path]) => [name, from(path)]),
)

// Peers and runtime dependencies stay imports: the host app installs and dedupes them. reconnecting-websocket is
// the exception, bundled (see `bundledSources`).
const externals = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'framer-motion',
  'ws',
  'zustand',
  'valibot',
  'jose',
  'prom-client',
  'redis',
]
const isExternal = (id: string) =>
  id.startsWith('node:') || externals.some((name) => id === name || id.startsWith(`${name}/`))

/** React Server Components need `'use client'` atop the React entry; bundlers keep it only from the entry module. */
function keepUseClient(): Plugin {
  return {
    name: 'live-progress:use-client',
    apply: 'build',
    renderChunk(code, chunk) {
      if (!chunk.isEntry || chunk.name !== 'react' || /^\s*['"]use client['"]/.test(code)) return null
      return { code: `'use client';\n${code}`, map: null }
    },
  }
}

/**
 * Node's ESM resolution (`moduleResolution: node16/nodenext` in consumers) needs full relative specifiers in
 * declarations too: `./client/index` becomes `./client/index.js`, a folder `./core` becomes `./core/index.js`.
 */
function withExtensions(filePath: string, content: string) {
  const sourceDir = join(from('src'), relative(from('dist'), dirname(filePath)))
  const fix = (specifier: string) => {
    if (/\.(js|json|css)$/.test(specifier)) return specifier
    const target = join(sourceDir, specifier)
    if (['.ts', '.tsx'].some((ext) => existsSync(target + ext))) return `${specifier}.js`
    if (['index.ts', 'index.tsx'].some((file) => existsSync(join(target, file))))
      return `${specifier}/index.js`
    return specifier
  }
  return {
    content: content.replace(
      /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}(?:\/[^'"]*)?)\2/g,
      (_, head: string, quote: string, specifier: string) => `${head}${quote}${fix(specifier)}${quote}`,
    ),
  }
}

/**
 * Copies the stylesheet next to the bundles (`live-progress/styles.css`), with a declaration for its `types`
 * condition: TypeScript checks side-effect imports, and an app without a bundler's client types would fail on it.
 */
function copyStyles(): Plugin {
  return afterBuild('live-progress:copy-styles', (outDir) => {
    const css = from('src/react/styles.css')
    if (!existsSync(css)) return
    copyFileSync(css, join(outDir, 'styles.css'))
    writeFileSync(
      join(outDir, 'styles.css.d.ts'),
      '// A stylesheet: imported for its side effect, it exports nothing.\nexport {}\n',
    )
  })
}

/** Writes the JSON Schema of every frame, generated from the valibot schemas (`live-progress/protocol.schema.json`). */
function writeProtocolSchema(): Plugin {
  return afterBuild('live-progress:protocol-schema', (outDir) => {
    writeFileSync(join(outDir, 'protocol.schema.json'), `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`)
  })
}

/** A build-only plugin that writes files next to the bundles once they are written, in the build's own outDir. */
function afterBuild(name: string, write: (outDir: string) => void): Plugin {
  let outDir = from('dist')
  return {
    name,
    apply: 'build',
    configResolved(config) {
      outDir = isAbsolute(config.build.outDir) ? config.build.outDir : from(config.build.outDir)
    },
    closeBundle() {
      write(outDir)
    },
  }
}

/**
 * Writes the licences of the code bundled from other packages (`bundledSources`) next to the bundles: their MIT
 * notices must travel with every copy, and the minifier drops the sources' `/*!` headers.
 */
function writeBundledLicenses(): Plugin {
  return afterBuild('live-progress:bundled-licenses', (outDir) => {
    const sections = bundledLicenses().map(
      ({ name, text }) =>
        `## ${name}\n\nBundled in live-progress's entries from its own source.\n\n${text.trim()}\n`,
    )
    writeFileSync(join(outDir, 'THIRD_PARTY_LICENSES.md'), `# Third-party licences\n\n${sections.join('\n')}`)
  })
}

// bench/oneLiner.ts builds the bundles only, into its own directory: declarations take most of a build.
const declarations = process.env.LIVE_PROGRESS_NO_DTS === undefined

export default defineConfig({
  // public/ holds the demo's and Storybook's static files, not the library's.
  publicDir: false,
  resolve: { alias: bundledSources },
  plugins: [
    react(),
    trimBundledSources(),
    declarations &&
      dts({
        tsconfigPath: './tsconfig.build.json',
        entryRoot: 'src',
        insertTypesEntry: true,
        beforeWriteFile: withExtensions,
      }),
    keepUseClient(),
    copyStyles(),
    writeProtocolSchema(),
    writeBundledLicenses(),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    minify: false,
    emptyOutDir: true,
    lib: { entry: entries, formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rolldownOptions: {
      external: isExternal,
      // Declarations take most of the build by design; the timing report would say so every time.
      checks: { bundlerTimings: false },
      output: {
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
      onwarn(warning, warn) {
        // Directives of inner modules are dropped on purpose; `keepUseClient` keeps the entry's.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        warn(warning)
      },
    },
  },
})
