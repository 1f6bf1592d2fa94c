import { readFileSync } from 'node:fs'

const css = readFileSync(new URL('../../src/react/styles.css', import.meta.url), 'utf8')
const declarations = css.replace(/\/\*[\s\S]*?\*\//g, '')

describe('default stylesheet', () => {
  test('uses logical properties only, so right-to-left pages mirror', () => {
    expect(declarations).not.toMatch(
      /(^|[\s;{])(left|right|(margin|padding|border)-(left|right)|text-align:\s*(left|right))\s*:/m,
    )
    expect(declarations).not.toMatch(/(^|[\s;{])(width|height)\s*:/m)
  })

  test('every colour is a custom property a user can override', () => {
    const colours = [...declarations.matchAll(/#[0-9a-f]{3,8}\b/gi)]
    expect(colours.length).toBeGreaterThan(0)
    for (const match of colours) {
      const line = declarations.slice(
        declarations.lastIndexOf('\n', match.index) + 1,
        declarations.indexOf('\n', match.index),
      )
      // The user's --lp-* first; else the light or the dark default, whichever the nearest data-theme (or the system) picks.
      expect(line).toMatch(
        /^\s*--_([a-z-]+): var\(--lp-\1, var\(--_lp-light, #[0-9a-f]+\) var\(--_lp-dark, #[0-9a-f]+\)\);$/,
      )
    }
  })

  test('has dark mode from the system, data-theme, classes, color-scheme, and respects reduced motion', () => {
    expect(css).toContain('@media (prefers-color-scheme: dark)')
    for (const scheme of ['light', 'dark']) {
      expect(css).toContain(`[data-theme="${scheme}"]`)
      expect(css).toContain(`.${scheme},`)
      expect(css).toContain(`[style*="color-scheme: ${scheme};"]`)
      expect(css).toContain(`meta[name="color-scheme"][content="${scheme}"]`)
    }
    expect(css).toContain('@media (prefers-reduced-motion: reduce)')
  })

  test('styles every class the components render', () => {
    const used = new Set<string>()
    for (const file of [
      'ProgressBar',
      'PhaseSteps',
      'ConfidenceBadge',
      'ActivityFeed',
      'QueueNotice',
      'AgentCount',
      'ProgressValue',
      'RunProgress',
    ]) {
      const source = readFileSync(new URL(`../../src/react/${file}.tsx`, import.meta.url), 'utf8')
      for (const [, name] of source.matchAll(/['"](lp-[a-z_-]+)['"]/g)) used.add(name!)
    }
    expect(used.size).toBeGreaterThan(10)
    for (const name of used) expect(css, name).toContain(`.${name}`)
  })
})
