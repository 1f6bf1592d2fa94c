import { createContext, type ReactNode, useContext, useMemo } from 'react'
import { createProgressStore } from '../client/createProgressStore'
import type { LabelsOverride } from './labels'
import type { ProgressSource } from './ProgressSource'
import { useStableLabels } from './useStableLabels'

interface ProgressContextValue {
  source: ProgressSource | null
  locale: string | undefined
  labels: LabelsOverride | undefined
}

export const ProgressContext = createContext<ProgressContextValue>({
  source: null,
  locale: undefined,
  labels: undefined,
})

export interface ProgressProviderProps {
  /** A `createProgressClient()` or `createProgressStore()` result. Keep it stable (create it once). */
  client: ProgressSource
  /** BCP 47 locale for numbers, percents and durations; the runtime's default when left out. */
  locale?: string
  /** Wording overrides for every component below. */
  labels?: LabelsOverride
  children?: ReactNode
}

/**
 * Makes a progress source (and optionally a locale and labels) available to the hooks and components below.
 * @example
 * const client = createProgressClient({ url: '/progress' })
 * <ProgressProvider client={client}><RunProgress runId="r1" /></ProgressProvider>
 */
export function ProgressProvider({ client, locale, labels, children }: ProgressProviderProps) {
  const stableLabels = useStableLabels(labels)
  const value = useMemo(
    () => ({ source: client, locale, labels: stableLabels }),
    [client, locale, stableLabels],
  )
  return <ProgressContext.Provider value={value}>{children}</ProgressContext.Provider>
}

let fallback: ProgressSource | null = null

/**
 * The source given to the nearest `<ProgressProvider>`. Outside one it logs an error (once, in development) and
 * returns an empty source, so the tree renders pending states instead of crashing.
 * @example
 * const { store } = useProgressClient()
 */
export function useProgressClient(): ProgressSource {
  const { source } = useContext(ProgressContext)
  if (source) return source
  if (!fallback) {
    // Development builds only (where no bundler defines NODE_ENV, `process` is missing and the message too).
    try {
      if (process.env.NODE_ENV !== 'production') {
        console.error('live-progress: useProgressClient() needs a <ProgressProvider client={…}> above it.')
      }
    } catch {}
    // A store nothing feeds: every run reads pending, and the connection idle.
    fallback = { store: createProgressStore({ connection: 'idle' }).store }
  }
  return fallback
}
