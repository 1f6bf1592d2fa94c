import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Plugin } from 'vite'

const require = createRequire(import.meta.url)
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

/** Packages the kit bundles from their TypeScript source, with the file that source starts at. */
const BUNDLED = [{ name: 'reconnecting-websocket', source: 'reconnecting-websocket.ts' }]

/**
 * Dependencies the kit bundles from their own TypeScript source instead of importing them (a Vite `resolve.alias`
 * list, for the package build, the tests and the size bench alike). reconnecting-websocket publishes only an ES5
 * build with tslib helpers, and its source beside it: compiled for ES2022 it is the same code, 2.5 → 1.9 KB
 * min+gzip.
 */
export const bundledSources = BUNDLED.map(({ name, source }) => ({
  find: new RegExp(`^${name}$`),
  replacement: join(packageDir(name), source),
}))

// One statement a line in its source: `this._debug('connect', this._retryCount);`; then the method, to its
// closing brace at its own indent.
const DEBUG_CALL = /^[ \t]*this\._debug\(.*\);[ \t]*\r?\n/gm
const DEBUG_METHOD = /^([ \t]*)private _debug\([^)]*\) \{\r?\n[\s\S]*?^\1\}\r?\n/m
// `private _ws?: WebSocket;`, `private readonly _url: UrlProvider;`, `private _connect() {`, `private _handleOpen = …`
const PRIVATE_MEMBER = /\bprivate\s+(?:readonly\s+)?_(\w+)/g

/**
 * Makes reconnecting-websocket's source smaller without changing what it does, or fails the build (a new version
 * wrote it differently, and this needs a look):
 * - its `debug` option logs every step, and the kit never sets it (its transport passes a fixed option list): the
 *   calls and the method are dead code that minifiers cannot see as such, so they go;
 * - its TypeScript `private _x` members become ES private `#x` ones, which minifiers shorten (they never rename
 *   properties): every one is declared private and read only as `this._x`, which the rewrite checks.
 */
export function trimBundledSources(): Plugin {
  const source = bundledSources[0]!.replacement
  return {
    name: 'live-progress:trim-bundled-sources',
    // Before the TypeScript transform, which drops the `private` words this reads.
    enforce: 'pre',
    transform(code, id) {
      if (id !== source) return null
      const fail = (why: string): never => {
        throw new Error(`${id}: ${why}; check the new version of reconnecting-websocket`)
      }
      const calls = code.replace(DEBUG_CALL, '')
      let out = calls.replace(DEBUG_METHOD, '')
      if (calls === code || out === calls) fail('no this._debug(…) calls or method to strip')
      const names = [...out.matchAll(PRIVATE_MEMBER)].map((match) => match[1]!)
      if (names.length === 0) fail('no private _members')
      out = out.replace(PRIVATE_MEMBER, (_, name: string) => `#${name}`)
      for (const name of names) {
        out = out.replaceAll(`this._${name}`, `this.#${name}`)
        if (new RegExp(`\\b_${name}\\b`).test(out)) fail(`_${name} is used other than as this._${name}`)
      }
      return { code: out, map: null }
    },
  }
}

/** The licence texts of those packages (the build ships them in dist/THIRD_PARTY_LICENSES.md). */
export function bundledLicenses(): { name: string; text: string }[] {
  return BUNDLED.map(({ name }) => ({ name, text: readFileSync(join(packageDir(name), 'LICENSE'), 'utf8') }))
}
