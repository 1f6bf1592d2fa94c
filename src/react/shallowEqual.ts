/**
 * Equal when both objects have the same keys with `Object.is`-equal values (one level deep): the usual
 * `equality` for a `useRun` selector that returns a fresh object.
 * @example
 * const { status, title } = useRun('r1', (run) => ({ status: run.status, title: run.title }), shallowEqual) ?? {}
 */
export function shallowEqual<T>(a: T, b: T): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) {
    if (!Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false
  }
  return true
}

/** Joins class names, skipping empty ones. */
export const cx = (...names: (string | false | null | undefined)[]) => names.filter(Boolean).join(' ')
