import { fileURLToPath } from 'node:url'
import { storybookTest } from '@storybook/addon-vitest/vitest-plugin'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { bundledSources, trimBundledSources } from './scripts/bundledSources.ts'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.ts'

// The system Chromium (Debian package), offline (flags in scripts/chromium.ts).
const chromium = playwright({
  launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
})

// React 18.3 (the oldest React in the peer range) beside the project's 19: test/react18 holds one copy of each,
// and every import of react or react-dom in the react18 project resolves to it.
const react18 = (name: string) =>
  fileURLToPath(new URL(`./test/react18/node_modules/${name}`, import.meta.url))
const onReact18 = [
  ...['react', 'react-dom'].flatMap((name) => [
    { find: new RegExp(`^${name}$`), replacement: react18(name) },
    { find: new RegExp(`^${name}/(.*)$`), replacement: `${react18(name)}/$1` },
  ]),
  // Its ES module build, run through Vite (inlined below), so its own imports of React take the aliases above.
  {
    find: /^@testing-library\/react$/,
    replacement: fileURLToPath(
      new URL('./node_modules/@testing-library/react/dist/@testing-library/react.esm.js', import.meta.url),
    ),
  },
]

// A fresh object per project: Vitest names the instances it is given, so sharing them clashes.
const browser = () => ({
  enabled: true,
  headless: true,
  provider: chromium,
  instances: [{ browser: 'chromium' as const }],
})

export default defineConfig({
  // Tests run the dependencies the package bundles as it bundles them (from their source).
  resolve: { alias: bundledSources },
  plugins: [trimBundledSources()],
  test: {
    globals: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          provide: { reactMajor: '19' },
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/browser/**'],
          testTimeout: 20_000,
        },
      },
      {
        // The React tests again on React 18.3. Testing Library goes through Vite (inlined) so that it sees the
        // same React copy; React itself stays a plain Node module, found in test/react18.
        extends: true,
        resolve: { alias: onReact18 },
        test: {
          name: 'react18',
          environment: 'node',
          provide: { reactMajor: '18' },
          include: ['test/react/**/*.test.{ts,tsx}'],
          server: { deps: { inline: [/@testing-library[\\/]react[\\/]/] } },
          testTimeout: 20_000,
        },
      },
      {
        // Tests that need a real layout engine and real timers: the whole kit in Chromium.
        extends: true,
        // Known up front: a dependency discovered mid-run makes Vite reload the page under a running test.
        optimizeDeps: { include: ['framer-motion/dom'] },
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.{ts,tsx}'],
          testTimeout: 20_000,
          browser: browser(),
        },
      },
      {
        // Every story is a test: it renders, its `play` function passes, and axe finds no violations.
        extends: true,
        plugins: [storybookTest({ configDir: '.storybook' })],
        test: { name: 'storybook', browser: browser(), testTimeout: 30_000 },
      },
    ],
  },
})
