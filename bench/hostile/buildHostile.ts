import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const here = fileURLToPath(new URL('.', import.meta.url))
const root = join(here, '..', '..')

/** The suite's processes, bundled to plain JavaScript. */
export interface HostileBundles {
  hub: string
  good: string
  attacker: string
}

/**
 * Bundles the hub, the good client and the attacker into `.tmp/hostile/` (inside the repository, so `ws` resolves
 * from its node_modules). Plain JavaScript, not run through a TypeScript loader: tsx names every function it
 * compiles (esbuild's keepNames), which gives each closure a property table and would inflate the hub's heap
 * figures by about half.
 */
export async function buildHostile(): Promise<HostileBundles> {
  const outdir = join(root, '.tmp', 'hostile')
  mkdirSync(outdir, { recursive: true })
  const entries = { hub: 'hubProcess', good: 'goodClient', attacker: 'attackerProcess' } as const
  await build({
    entryPoints: Object.values(entries).map((name) => join(here, `${name}.ts`)),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    external: ['ws'],
    logLevel: 'error',
  })
  const file = (name: string) => join(outdir, `${name}.mjs`)
  return { hub: file(entries.hub), good: file(entries.good), attacker: file(entries.attacker) }
}
