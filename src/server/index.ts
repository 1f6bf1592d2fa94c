export { acceptSocket, type SocketLike, type SocketServerLike } from './acceptSocket'
export {
  type AttachWebSocketOptions,
  acceptWebSocket,
  attachWebSocket,
} from './attachWebSocket'
export type { HubConnection, HubPeer } from './createConnection'
export { createEventLog, type EventLog, type LogEntry } from './createEventLog'
export {
  createHangupQueue,
  HANGUP_SLICE,
  type HangupQueue,
  type HangupQueueOptions,
  type HangupSocket,
} from './createHangupQueue'
export { createPersistWriter, type PersistWriter, type PersistWriterOptions } from './createPersistWriter'
export {
  createPingWatch,
  type PingableSocket,
  type PingWatch,
  type PingWatchOptions,
} from './createPingWatch'
export { createProgressHub, type ProgressHub } from './createProgressHub'
export {
  createReceiveQueue,
  RECEIVE_DEFAULTS,
  type ReceiveFlow,
  type ReceiveLane,
  type ReceiveQueue,
  type ReceiveQueueOptions,
} from './createReceiveQueue'
export { createRunPublisher, type RunPublisher, UNWATCHED_DEFAULT_MS } from './createRunPublisher'
export type { EventInput, PrefixResult, PublishOptions, SubscribeRequest } from './createRunRecord'
export type { HubMetrics } from './hubMetrics'
export { HUB_DEFAULTS, type HubTimers, type ProgressHubOptions } from './hubOptions'
export type {
  HubStore,
  StoreAppend,
  StoreAppendResult,
  StoredHead,
  StoredRun,
  StoreMessage,
} from './hubStore'
export { PublishError, type PublishErrorReason } from './PublishError'
export { createMemoryPersist, type HubPersist, type PersistedRun } from './persist'
export {
  acceptSse,
  createSseHandler,
  readSseRequest,
  SSE_DEFAULTS,
  type SseHttpRequest,
  type SseHttpResponse,
  type SseOptions,
  type SseRequest,
} from './sse'
export { checkInputs } from './stageEvents'
