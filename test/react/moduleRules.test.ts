import { readdirSync, readFileSync } from 'node:fs'

const dir = new URL('../../src/react/', import.meta.url)
const files = readdirSync(dir).filter((name) => /\.tsx?$/.test(name))
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8')

describe('react entry rules', () => {
  test("the barrel starts with 'use client'", () => {
    expect(read('index.ts').split('\n')[0]).toBe("'use client'")
  })

  test('framer-motion only through m, LazyMotion(domMin) and the value hooks, never `motion`', () => {
    const allowed = new Set([
      'm',
      'LazyMotion',
      'domMin',
      'useSpring',
      'useMotionValue',
      'useTransform',
      'type MotionValue',
    ])
    let imports = 0
    for (const name of files) {
      for (const [, names] of read(name).matchAll(/import\s*\{([^}]*)\}\s*from\s*'framer-motion'/g)) {
        for (const item of names!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)) {
          imports++
          expect(allowed, `${name}: ${item}`).toContain(item)
        }
      }
      expect(read(name)).not.toMatch(/from 'framer-motion\//)
    }
    expect(imports).toBeGreaterThan(0)
  })

  test('one component or hook per file, each small', () => {
    for (const name of files) expect(read(name).split('\n').length, name).toBeLessThan(200)
  })

  test('imports point one way: react → client/core/protocol types, never server', () => {
    for (const name of files) expect(read(name), name).not.toMatch(/from '\.\.\/server/)
  })
})
