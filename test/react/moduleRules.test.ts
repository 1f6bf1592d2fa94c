import { readdirSync, readFileSync } from 'node:fs'

const dir = new URL('../../src/react/', import.meta.url)
const files = readdirSync(dir).filter((name) => /\.tsx?$/.test(name))
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8')

describe('react entry rules', () => {
  test("the barrel starts with 'use client'", () => {
    expect(read('index.ts').split('\n')[0]).toBe("'use client'")
  })

  test("framer-motion only through its Web Animations API animation, in motion.ts (the one-liner's budget)", () => {
    for (const name of files) {
      const imports = [
        ...read(name).matchAll(/import\s*(?:type\s*)?([^;]*?)\s*from\s*'(framer-motion[^']*)'/g),
      ]
      if (name === 'motion.ts') {
        expect(imports.map(([, names, from]) => `${names} from ${from}`)).toEqual([
          '{ startWaapiAnimation } from framer-motion/dom',
        ])
      } else expect(imports, name).toEqual([])
    }
  })

  test('one component or hook per file, each small', () => {
    for (const name of files) expect(read(name).split('\n').length, name).toBeLessThan(200)
  })

  test('imports point one way: react → client/core/protocol types, never server', () => {
    for (const name of files) expect(read(name), name).not.toMatch(/from '\.\.\/server/)
  })
})
