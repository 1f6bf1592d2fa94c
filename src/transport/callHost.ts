/**
 * Calls host code (a callback, a listener) so that what it throws never breaks the pipeline that called it,
 * nor vanishes: it is rethrown on a microtask, where the host's own error reporting sees it.
 */
export function callHost<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    fn?.(...args)
  } catch (thrown) {
    queueMicrotask(() => {
      throw thrown
    })
  }
}

/** What a thrown value says, for an error report's `detail`. */
export const thrownMessage = (thrown: unknown): string =>
  thrown instanceof Error ? thrown.message : String(thrown)
