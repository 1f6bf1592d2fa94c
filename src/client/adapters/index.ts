export {
  ADAPTED_DEFAULTS,
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
