/**
 * `npm run build` runs this afterwards: every path in package.json `exports` exists in dist/, each JS entry
 * loads in Node and exports something, the React entry starts with `'use client'`, and no declaration
 * file has a relative import that Node's ESM resolution (consumers on `nodenext`) could not follow.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>
  bin?: Record<string, string>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}
const problems: string[] = []

for (const [subpath, target] of Object.entries(pkg.exports)) {
  const files = typeof target === 'string' ? { default: target } : target
  for (const [condition, file] of Object.entries(files)) {
    if (!existsSync(join(root, file))) problems.push(`exports["${subpath}"].${condition}: ${file} is missing`)
  }
  const js = typeof target === 'string' ? null : target.import
  if (js && existsSync(join(root, js))) {
    const loaded = (await import(pathToFileURL(join(root, js)).href)) as Record<string, unknown>
    if (Object.keys(loaded).length === 0) problems.push(`${js} exports nothing`)
  }
}

const react = join(root, 'dist/react.js')
if (existsSync(react) && !/^\s*['"]use client['"]/.test(readFileSync(react, 'utf8'))) {
  problems.push("dist/react.js does not start with 'use client'")
}

function* filesEnding(dir: string, suffix: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* filesEnding(path, suffix)
    else if (name.endsWith(suffix)) yield path
  }
}

// The bin runs with plain node from an install: a node script, importing only what the install brings.
for (const [name, file] of Object.entries(pkg.bin ?? {})) {
  const path = join(root, file)
  if (!existsSync(path)) problems.push(`bin ${name}: ${file} is missing`)
  else if (!readFileSync(path, 'utf8').startsWith('#!/usr/bin/env node\n')) {
    problems.push(`bin ${name}: ${file} does not start with #!/usr/bin/env node`)
  }
}
const installed = new Set([
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
])
for (const file of filesEnding(join(root, 'dist'), '.js')) {
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g,
  )) {
    if (specifier!.startsWith('.') || specifier!.startsWith('node:')) continue
    const name = specifier!.startsWith('@')
      ? specifier!.split('/').slice(0, 2).join('/')
      : specifier!.split('/')[0]!
    if (!installed.has(name))
      problems.push(`${file.slice(root.length + 1)}: imports '${specifier}', not a dependency`)
  }
}

for (const file of filesEnding(join(root, 'dist'), '.d.ts')) {
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
    /(?:from|import)\s*\(?\s*['"](\.{1,2}(?:\/[^'"]*)?)['"]/g,
  )) {
    if (
      !specifier!.endsWith('.js') ||
      !existsSync(join(dirname(file), specifier!.replace(/\.js$/, '.d.ts')))
    ) {
      problems.push(`${file.slice(root.length + 1)}: unresolvable import '${specifier}'`)
    }
  }
}

if (problems.length > 0) {
  console.error(`Package check failed:\n  ${problems.join('\n  ')}`)
  process.exit(1)
}
console.log(
  `Package check: ${Object.keys(pkg.exports).length} exports resolve, declarations are nodenext-safe.`,
)
