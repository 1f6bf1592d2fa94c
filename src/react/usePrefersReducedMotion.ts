import { useSyncExternalStore } from 'react'

const QUERY = '(prefers-reduced-motion: reduce)'

// Looked up when called, never at import: the server and jsdom have no matchMedia.
const media = () =>
  typeof window !== 'undefined' && typeof window.matchMedia === 'function' ? window.matchMedia(QUERY) : null

const subscribe = (listener: () => void) => {
  const list = media()
  list?.addEventListener('change', listener)
  return () => list?.removeEventListener('change', listener)
}

/**
 * Whether the person asked for reduced motion; `false` on the server and where `matchMedia` is missing.
 * An explicit `override` wins (a component's `reducedMotion` prop).
 * @example
 * const still = usePrefersReducedMotion(props.reducedMotion)
 */
export function usePrefersReducedMotion(override?: boolean): boolean {
  const user = useSyncExternalStore(
    subscribe,
    () => media()?.matches ?? false,
    () => false,
  )
  return override ?? user
}
