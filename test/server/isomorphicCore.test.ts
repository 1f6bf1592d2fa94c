import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dir = fileURLToPath(new URL('../../src/server/', import.meta.url))
// Only the ws binding may touch Node or ws: the hub itself runs in a browser story over an in-memory peer.
const bindings = new Set(['attachWebSocket.ts', 'index.ts'])

describe('hub core is isomorphic', () => {
  it('imports no Node modules, no ws, and nothing outside core and protocol', () => {
    const files = readdirSync(dir).filter((file) => file.endsWith('.ts') && !bindings.has(file))
    expect(files).toContain('createProgressHub.ts')
    for (const file of files) {
      const source = readFileSync(`${dir}${file}`, 'utf8')
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]!)
      for (const path of imports) {
        expect([file, path]).toEqual([
          file,
          expect.stringMatching(/^(\.\/|\.\.\/core\/|\.\.\/protocol\/|valibot$)/),
        ])
      }
    }
  })
})
