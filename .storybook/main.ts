import type { StorybookConfig } from '@storybook/react-vite'
import type { PluginOption } from 'vite'

// Plugins that only make sense for the library build: declarations, the stylesheet and the protocol schema in dist/.
const buildOnly = /dts|live-progress:copy-styles|live-progress:protocol-schema/

async function withoutBuildOnly(plugins: PluginOption[] = []): Promise<PluginOption[]> {
  const kept: PluginOption[] = []
  for (const plugin of await Promise.all(plugins)) {
    if (Array.isArray(plugin)) kept.push(await withoutBuildOnly(plugin))
    else if (!(plugin && 'name' in plugin && buildOnly.test(plugin.name))) kept.push(plugin)
  }
  return kept
}

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-a11y', '@storybook/addon-vitest'],
  staticDirs: ['../public'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // Storybook reuses vite.config.ts (minus its `build`); drop the library-only plugins and the timing report.
  viteFinal: async (viteConfig) => ({
    ...viteConfig,
    plugins: await withoutBuildOnly(viteConfig.plugins),
    // Discovered mid-run, a dependency makes Vite re-optimize and reload the page under a running story test.
    optimizeDeps: {
      ...viteConfig.optimizeDeps,
      include: [...(viteConfig.optimizeDeps?.include ?? []), 'framer-motion/dom'],
    },
    build: {
      ...viteConfig.build,
      rolldownOptions: { ...viteConfig.build?.rolldownOptions, checks: { bundlerTimings: false } },
    },
  }),
}

export default config
