// Adapters, SSE and the in-memory transport live in the `live-progress/adapters` entry (kept out of this bundle).
export type { AdaptedEvent, Adapter, AdapterErrorCode } from './adapters/index'
export {
  type ClientStats,
  createProgressClient,
  type ProgressClient,
  type ProgressClientError,
  type ProgressClientOptions,
} from './createProgressClient'
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
export {
  createFlushScheduler,
  type FlushMode,
  type FlushScheduler,
  type SchedulerEnv,
} from './flushScheduler'
export type { RunStats, RunView } from './runTracker'
export type { Transport, TransportError, TransportFactory, TransportHandlers } from './transport'
export {
  createWebSocketTransport,
  RECONNECT_DEFAULTS,
  type ReconnectOptions,
  type UrlProvider,
  type WebSocketConstructor,
  type WebSocketTransportOptions,
} from './webSocketTransport'
