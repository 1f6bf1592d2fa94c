import { readFileSync } from 'node:fs'
import { bundledSources, trimBundledSources } from '../../scripts/bundledSources'

const source = bundledSources[0]!.replacement
type Transform = (code: string, id: string) => { code: string } | null
const transform = trimBundledSources().transform as unknown as Transform

describe('trimBundledSources (reconnecting-websocket as the kit bundles it)', () => {
  test('strips the debug logging and makes every private member ES-private', () => {
    const original = readFileSync(source, 'utf8')
    const { code } = transform(original, source)!
    expect(original).toMatch(/this\._debug\(/)
    expect(code).not.toMatch(/_debug|console\.log/)
    expect(code).not.toMatch(/\bprivate\s/)
    expect(code).not.toMatch(/this\._/)
    expect(code).toMatch(/#ws/)
    expect(code).toMatch(/this\.#connect\(\)/)
  })

  test('leaves every other file alone', () => {
    expect(transform('this._debug("x");\n', '/elsewhere/file.ts')).toBeNull()
  })

  test('fails the build on a source it does not recognise', () => {
    expect(() => transform('export class A { #x = 1 }\n', source)).toThrow(/check the new version/)
    const leaked = [
      'class A {',
      '  private _x = 1',
      '  private _debug() {',
      '  }',
      '  f(other: A) {',
      "    this._debug('f');",
      '    return other._x',
      '  }',
      '}',
      '',
    ].join('\n')
    expect(() => transform(leaked, source)).toThrow(/_x is used other than as this\._x/)
  })
})
