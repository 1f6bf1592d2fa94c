import { storybookTest } from '@storybook/addon-vitest/vitest-plugin'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.ts'

// The system Chromium (Debian package), offline (flags in scripts/chromium.ts).
const chromium = playwright({
  launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
})

// A fresh object per project: Vitest names the instances it is given, so sharing them clashes.
const browser = () => ({
  enabled: true,
  headless: true,
  provider: chromium,
  instances: [{ browser: 'chromium' as const }],
})

export default defineConfig({
  test: {
    globals: true,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: ['test/browser/**'],
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
