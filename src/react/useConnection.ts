import { useCallback, useRef, useSyncExternalStore } from 'react'
import type { ConnectionState } from '../client/createProgressStore'
import { useProgressClient } from './ProgressProvider'

/** What {@link useConnection} returns. */
export type ConnectionInfo = Pick<ConnectionState, 'status' | 'attempts'>

/**
 * The transport's `status` ('idle' | 'connecting' | 'open' | 'reconnecting' | 'closed') and reconnect `attempts`.
 * Re-renders only when one of those changes, not on every frame (read `lastFrameAt` from the store if needed).
 * @example
 * const { status, attempts } = useConnection()
 * if (status === 'reconnecting') return <p>Reconnecting (attempt {attempts})…</p>
 */
export function useConnection(): ConnectionInfo {
  const { store } = useProgressClient()
  const last = useRef<ConnectionInfo | null>(null)
  const get = useCallback(() => {
    const { status, attempts } = store.getState().connection
    const prev = last.current
    if (prev && prev.status === status && prev.attempts === attempts) return prev
    last.current = { status, attempts }
    return last.current
  }, [store])
  return useSyncExternalStore(store.subscribe, get, get)
}
