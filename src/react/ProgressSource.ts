import type { StoreApi } from 'zustand/vanilla'
import type { ProgressState } from '../client/createProgressStore'

/**
 * What the React kit reads from: a bare `createProgressStore()` or a live `createProgressClient()` both fit.
 * @example
 * const source: ProgressSource = createProgressStore()
 */
export interface ProgressSource {
  store: StoreApi<ProgressState>
  follow?(runId: string): void
  unfollow?(runId: string): void
}
