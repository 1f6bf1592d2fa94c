import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** STYLE rule 1: core and protocol are framework-free. Scanned, not mocked: a new import is caught at once. */
const root = join(__dirname, '..', '..', 'src')
const forbiddenModules = [
  /^react($|\/)/,
  /^react-dom($|\/)/,
  /^node:/,
  /^(fs|path|os|crypto|events|stream|http|https|net|url|util|zlib|child_process|worker_threads|buffer|timers)$/,
  /^ws$/,
  /^zustand/,
]
const domGlobals =
  /\b(window|document|navigator|localStorage|sessionStorage|HTMLElement|requestAnimationFrame|cancelAnimationFrame|WebSocket|process|Buffer|require)\b/
const allowedPackages = new Set(['valibot'])

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? files(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  )
}

function specifiers(source: string): string[] {
  const found: string[] = []
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bexport\s+(?:type\s+)?[^'"]*?from\s*['"]([^'"]+)['"]/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]!)
  return found
}

const stripComments = (source: string) =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1')

describe.each(['core', 'protocol'])('src/%s', (dir) => {
  const sources = files(join(root, dir))

  test('has source files to check', () => {
    expect(sources.length).toBeGreaterThan(2)
  })

  test('imports nothing from React, the DOM, Node or other runtime packages', () => {
    for (const file of sources) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const relative = spec.startsWith('.')
        if (relative) {
          // Relative imports stay inside protocol/core (core may use protocol, never client/react/server).
          expect(spec, `${file} imports ${spec}`).not.toMatch(/(client|react|server)(\/|$)/)
          continue
        }
        for (const bad of forbiddenModules) expect(spec, `${file} imports ${spec}`).not.toMatch(bad)
        expect(allowedPackages.has(spec.split('/')[0]!), `${file} imports package ${spec}`).toBe(true)
      }
    }
  })

  test('uses no DOM-only or Node-only globals', () => {
    for (const file of sources) {
      const code = stripComments(readFileSync(file, 'utf8'))
      expect(code.match(domGlobals)?.[0], `${file} uses a host global`).toBeUndefined()
    }
  })
})

test('the import scanner sees every import form', () => {
  const sample = `import a from 'react'\nimport type { B } from "node:fs"\nimport 'react-dom'\nexport { c } from './x'\nconst d = import('ws')`
  expect(specifiers(sample).sort()).toEqual(['./x', 'node:fs', 'react', 'react-dom', 'ws'])
})
