export {
  type ConnectionState,
  type ConnectionStatus,
  createProgressStore,
  type ProgressError,
  type ProgressState,
  type ProgressStore,
  type ProgressStoreOptions,
  STORE_DEFAULTS,
  type StoreStats,
} from './createProgressStore'
export { createFlushScheduler, type FlushMode, type FlushScheduler, type SchedulerEnv } from './flushScheduler'
export type { RunStats, RunView } from './runTracker'
