// Adapters, SSE and the in-memory transport live in the `live-progress/adapters` entry (kept out of this bundle).

export {
  RECONNECT_DEFAULTS,
  type ReconnectOptions,
} from '../transport/createReconnectPolicy'
export {
  createWebSocketTransport,
  type WebSocketConstructor,
  type WebSocketTransportOptions,
} from '../transport/createWebSocketTransport'
export type {
  Transport,
  TransportError,
  TransportFactory,
  TransportHandlers,
  UrlProvider,
} from '../transport/transport'
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
