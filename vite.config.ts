import { copyFileSync, existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'
import dts from 'vite-plugin-dts'

const root = fileURLToPath(new URL('.', import.meta.url))
const from = (path: string) => `${root}${path}`

// Entries are optional while the kit is being written: build whatever exists.
const entries = Object.fromEntries(
  Object.entries({ index: 'src/index.ts', react: 'src/react/index.ts', server: 'src/server/index.ts' })
    .filter(([, path]) => existsSync(from(path)))
    .map(([name, path]) => [name, from(path)]),
)

// Peers and runtime dependencies stay imports: the host app installs and dedupes them.
const externals = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'framer-motion',
  'ws',
  'zustand',
  'valibot',
  'reconnecting-websocket',
]
const isExternal = (id: string) =>
  id.startsWith('node:') || externals.some((name) => id === name || id.startsWith(`${name}/`))

// Bundlers drop module-level directives; React Server Components need `'use client'` on the React entry.
const useClient = "'use client'\n"

/** Copies the stylesheet next to the bundles (`live-progress/styles.css`). */
function copyStyles(): Plugin {
  return {
    name: 'live-progress:copy-styles',
    apply: 'build',
    closeBundle() {
      const css = from('src/react/styles.css')
      if (existsSync(css)) copyFileSync(css, from('dist/styles.css'))
    },
  }
}

export default defineConfig({
  plugins: [
    react(),
    dts({
      tsconfigPath: './tsconfig.build.json',
      entryRoot: 'src',
      insertTypesEntry: true,
    }),
    copyStyles(),
  ],
  build: {
    target: 'es2022',
    sourcemap: true,
    minify: false,
    emptyOutDir: true,
    lib: { entry: entries, formats: ['es'], fileName: (_format, name) => `${name}.js` },
    rolldownOptions: {
      external: isExternal,
      output: {
        banner: (chunk) => (chunk.isEntry && chunk.name === 'react' ? useClient : ''),
        chunkFileNames: 'chunks/[name]-[hash].js',
      },
      onwarn(warning, warn) {
        // The directive is re-added by `banner` above.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return
        warn(warning)
      },
    },
  },
})
