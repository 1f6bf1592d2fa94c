/** The timers a transport needs; injected so tests can replace them. */
export interface TransportTimers {
  setTimeout: (fn: () => void, ms: number) => unknown
  clearTimeout: (handle: unknown) => void
}

/** The host's timers, looked up when called, never at module load (tests replace them). */
export const hostTimers = (): TransportTimers => ({
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
})
