// The `live-progress/adapters` entry: foreign backends, unsequenced streams and transports other than WebSocket.

export { createMemoryTransport } from '../../transport/createMemoryTransport'
export {
  createSseTransport,
  type EventSourceConstructor,
  type EventSourceLike,
  SSE_RECONNECT_DEFAULTS,
  type SseReconnectOptions,
  type SseTransportOptions,
} from '../../transport/createSseTransport'
export {
  ADAPTED_DEFAULTS,
  type AdaptedIngest,
  type AdaptedIngestDeps,
  type AdaptedIngestOptions,
  type AdapterErrorCode,
  UNSEQUENCED_EPOCH,
} from './createAdaptedIngest'
export { type AgUiAdapterOptions, createAgUiAdapter } from './createAgUiAdapter'
export {
  createResearchProgressAdapter,
  type ResearchProgressAdapterOptions,
  type ResearchProgressMessage,
} from './createResearchProgressAdapter'
export { type AdaptedEvent, type Adapter, defineAdapter, events } from './defineAdapter'
export type { AdapterPhase } from './planBook'
