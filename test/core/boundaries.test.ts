import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'

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
      : /\.tsx?$/.test(entry.name)
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
          // Relative imports stay inside protocol/core (core may use protocol, never client/react/server/transport).
          expect(spec, `${file} imports ${spec}`).not.toMatch(/(client|react|server|transport)(\/|$)/)
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

/** Layers above the core: the src folders and packages each may import; dependencies point one way. */
const layers: Record<string, { folders: string[]; packages: string[] }> = {
  // Transports know the wire (protocol) and their socket library, nothing of the store, React or the hub.
  transport: { folders: ['transport', 'protocol'], packages: ['reconnecting-websocket'] },
  client: { folders: ['client', 'transport', 'core', 'protocol'], packages: ['zustand', 'valibot'] },
}

describe.each(Object.keys(layers))('src/%s', (dir) => {
  const { folders, packages } = layers[dir]!
  const sources = files(join(root, dir))

  test('imports only the layers below it and its own packages', () => {
    expect(sources.length).toBeGreaterThan(2)
    for (const file of sources) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const what = `${file} imports ${spec}`
        if (spec.startsWith('.')) {
          const folder = relative(root, resolve(dirname(file), spec)).split(sep)[0]!
          expect(folders, what).toContain(folder)
        } else expect(packages, what).toContain(spec.split('/')[0])
      }
    }
  })
})

test('the React layer takes RunView from the core, not from a client file', () => {
  for (const file of files(join(root, 'react'))) {
    const source = readFileSync(file, 'utf8')
    expect(source, file).not.toMatch(/from '\.\.\/client\/runTracker'/)
    if (/\bRunView\b/.test(source) && /^import/m.test(source))
      expect(source, file).toMatch(/import type \{[^}]*\bRunView\b[^}]*\} from '\.\.\/core\/RunView'/)
  }
})

test('the import scanner sees every import form', () => {
  const sample = `import a from 'react'\nimport type { B } from "node:fs"\nimport 'react-dom'\nexport { c } from './x'\nconst d = import('ws')`
  expect(specifiers(sample).sort()).toEqual(['./x', 'node:fs', 'react', 'react-dom', 'ws'])
})
