import type { ReactNode } from 'react'
import { ProgressProvider, type ProgressSource } from '../../src/react/index'

let current: ProgressSource | null = null

function Wrapper({ children }: { children: ReactNode }) {
  if (!current) throw new Error('wrap(source) first')
  return <ProgressProvider client={current}>{children}</ProgressProvider>
}

/** A `renderHook` wrapper that provides `source` (one test at a time, as vitest runs them). */
export function wrap(source: ProgressSource) {
  current = source
  return Wrapper
}
