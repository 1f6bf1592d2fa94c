import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

/** Packages the kit bundles from their TypeScript source, with the file that source starts at. */
const BUNDLED = [{ name: 'reconnecting-websocket', source: 'reconnecting-websocket.ts' }]

/**
 * Dependencies the kit bundles from their own TypeScript source instead of importing them (a Vite `resolve.alias`
 * list, for the package build and the size bench alike). reconnecting-websocket publishes only an ES5 build with
 * tslib helpers, and its source beside it: compiled for ES2022 it is the same code, 2.5 → 1.9 KB min+gzip.
 */
export const bundledSources = BUNDLED.map(({ name, source }) => ({
  find: new RegExp(`^${name}$`),
  replacement: join(packageDir(name), source),
}))

/** The licence texts of those packages (the build ships them in dist/THIRD_PARTY_LICENSES.md). */
export function bundledLicenses(): { name: string; text: string }[] {
  return BUNDLED.map(({ name }) => ({ name, text: readFileSync(join(packageDir(name), 'LICENSE'), 'utf8') }))
}
