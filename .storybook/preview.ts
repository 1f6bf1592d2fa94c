/// <reference types="vite/client" />
import type { Preview } from '@storybook/react-vite'

// The kit's stylesheet, as an app would import `live-progress/styles.css` (a glob tolerates its absence).
import.meta.glob('../src/react/styles.css', { eager: true })

const preview: Preview = {
  parameters: {
    // Axe violations fail the story's test, in `npm test` as in the Storybook UI.
    a11y: { test: 'error' },
    controls: { expanded: true },
  },
}

export default preview
