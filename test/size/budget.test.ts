import { measureOneLiner, type OneLinerSize, oneLinerRows } from '../../bench/oneLiner'
import { BUDGETS, type BundleSize, enforcedLimit, kitSpecs, measureBundle, repoRoot } from '../../bench/size'

// Real bundles (vite 8 = rolldown + oxc minifier, then gzip -9), built in memory: a few seconds in all.
const sizes = new Map<string, Pick<BundleSize, 'name' | 'gzip'> & Partial<BundleSize>>()
let oneLiner: OneLinerSize
beforeAll(async () => {
  for (const spec of kitSpecs()) sizes.set(spec.name, await measureBundle(spec))
  oneLiner = await measureOneLiner(repoRoot)
  for (const row of oneLinerRows(oneLiner)) sizes.set(row.name, row)
}, 120_000)

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`

describe('bundle budget', () => {
  for (const budget of Object.values(BUDGETS)) {
    // A budget whose target is not met yet is held at its ceiling (named in the test), never silently dropped.
    const limit = enforcedLimit(budget)
    const what = budget.ceiling
      ? `its ceiling ${kb(limit)} (target ${kb(budget.limit)}, not met yet)`
      : kb(limit)
    test(`${budget.name} stays within ${what} gzip (${budget.description})`, () => {
      const size = sizes.get(budget.name)
      if (!size) return // the entry does not exist yet
      const top = (size.modules ?? oneLiner.parts.map((p) => ({ id: p.name, bytes: p.gzip })))
        .slice(0, 5)
        .map((m) => `${m.id} ${kb(m.bytes)}`)
      expect(
        size.gzip,
        `${budget.name} is ${kb(size.gzip)} gzip; largest parts: ${top.join(', ')}`,
      ).toBeLessThanOrEqual(limit)
    })
  }

  test('the one-liner app is a real build: it ships the kit, framer-motion and the stylesheet, and counts no React', () => {
    const part = (name: string) => oneLiner.parts.find((p) => p.name.startsWith(name))!
    expect(part('framer-motion').gzip).toBeGreaterThan(512)
    expect(part('live-progress/react').gzip).toBeGreaterThan(4 * 1024)
    expect(part('live-progress (client').gzip).toBeGreaterThan(8 * 1024)
    expect(part('live-progress/styles.css').gzip).toBeGreaterThan(512)
    // The plain app it is measured against is React and react-dom's production build (~60 KB), taken off.
    expect(oneLiner.baseline.reduce((n, f) => n + f.gzip, 0)).toBeGreaterThan(40 * 1024)
  })

  test('the main entry bundles its dependencies and leaves React out', () => {
    const main = sizes.get('live-progress')! as BundleSize
    const bundled = main.modules.map((m) => m.id)
    for (const dep of ['valibot/', 'zustand/', 'reconnecting-websocket/']) {
      expect(bundled.some((id) => id.startsWith(dep))).toBe(true)
    }
    expect(main.externals.filter((id) => /^(react|react-dom|framer-motion)(\/|$)/.test(id))).toEqual([])
  })

  test('importing only the core pulls no React, no DOM binding and no store', () => {
    const core = sizes.get('live-progress core only (src/core)')! as BundleSize
    expect(core.externals).toEqual([])
    expect(core.modules.map((m) => m.id).filter((id) => /react|zustand|framer|src\/client/.test(id))).toEqual(
      [],
    )
  })
})
