export * from './adapters/index'
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
export {
  createSseTransport,
  type EventSourceConstructor,
  type EventSourceLike,
  SSE_RECONNECT_DEFAULTS,
  type SseReconnectOptions,
  type SseTransportOptions,
} from './sseTransport'
export type { Transport, TransportError, TransportFactory, TransportHandlers } from './transport'
export {
  createWebSocketTransport,
  RECONNECT_DEFAULTS,
  type ReconnectOptions,
  type UrlProvider,
  type WebSocketConstructor,
  type WebSocketTransportOptions,
} from './webSocketTransport'
