import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUDGETS, type BundleSize, enforcedLimit, kitSpecs, measureBundle, repoRoot } from '../../bench/size'

// Real bundles (vite 8 = rolldown + oxc minifier, then gzip -9), built in memory: a few seconds in all.
const sizes = new Map<string, BundleSize>()
beforeAll(async () => {
  for (const spec of kitSpecs()) sizes.set(spec.name, await measureBundle(spec))
}, 60_000)

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
      const top = size.modules.slice(0, 5).map((m) => `${m.id} ${kb(m.bytes)}`)
      expect(
        size.gzip,
        `${budget.name} is ${kb(size.gzip)} gzip; largest modules: ${top.join(', ')}`,
      ).toBeLessThanOrEqual(limit)
    })
  }

  test('the main entry bundles its dependencies and leaves React out', () => {
    const main = sizes.get('live-progress')!
    const bundled = main.modules.map((m) => m.id)
    for (const dep of ['valibot/', 'zustand/', 'reconnecting-websocket/']) {
      expect(bundled.some((id) => id.startsWith(dep))).toBe(true)
    }
    expect(main.externals.filter((id) => /^(react|react-dom|framer-motion)(\/|$)/.test(id))).toEqual([])
  })

  test('importing only the core pulls no React, no DOM binding and no store', () => {
    const core = sizes.get('live-progress core only (src/core)')!
    expect(core.externals).toEqual([])
    expect(core.modules.map((m) => m.id).filter((id) => /react|zustand|framer|src\/client/.test(id))).toEqual(
      [],
    )
  })
})

describe('framer-motion in the react entry', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? files(join(dir, entry.name))
        : /\.(ts|tsx)$/.test(entry.name)
          ? [join(dir, entry.name)]
          : [],
    )
  const reactDir = join(repoRoot, 'src', 'react')
  const imports = (() => {
    try {
      return files(reactDir).flatMap((file) => {
        const source = readFileSync(file, 'utf8')
        return [...source.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]framer-motion['"]/g)].map(
          (match) => ({
            file: file.slice(repoRoot.length + 1),
            typeOnly: Boolean(match[1]),
            names: match[2]!
              .split(',')
              .map(
                (name) =>
                  name
                    .trim()
                    .replace(/^type\s+/, '')
                    .split(/\s+as\s+/)[0]!,
              )
              .filter(Boolean),
          }),
        )
      })
    } catch {
      return []
    }
  })()

  test('never imports the full `motion` component (only `m` inside LazyMotion)', () => {
    for (const source of files(reactDir).map((file) => readFileSync(file, 'utf8'))) {
      // Namespace or default imports would defeat tree-shaking just the same.
      expect(source).not.toMatch(/import\s+\*\s+as\s+\w+\s+from\s+['"]framer-motion['"]/)
      expect(source).not.toMatch(/import\s+\w+\s*(,|from)\s*[^;\n]*['"]framer-motion['"]/)
    }
    for (const { file, names } of imports) expect(names, file).not.toContain('motion')
  })

  test('every `m` is paired with LazyMotion and the small domMin feature set', () => {
    const usesM = imports.filter(({ names }) => names.includes('m'))
    for (const { file, names } of usesM) {
      expect(names, file).toContain('LazyMotion')
      expect(names, file).toContain('domMin')
      expect(names, file).not.toContain('domMax')
    }
  })
})
