export {
  createRedisStore,
  parseStoreMessage,
  REDIS_PREFIX,
  type RedisStore,
  type RedisStoreOptions,
} from '../server/redis/createRedisStore'
export { APPEND_SCRIPT, REDIS_SCRIPTS, ROTATE_SCRIPT } from '../server/redis/scripts'
export { checkBearer } from './checkBearer'
export { createGateway, type Gateway } from './createGateway'
export { createGatewayMetrics, type GatewayMetrics } from './createGatewayMetrics'
export {
  createMemoryIdempotencyStore,
  type IdempotencyStore,
  type MemoryIdempotencyOptions,
  type StoredAnswer,
} from './createIdempotencyStore'
export { createRateBudget, type RateBudget, type RateBudgetOptions } from './createRateBudget'
export { createRedisIdempotencyStore } from './createRedisIdempotencyStore'
export { GATEWAY_DEFAULTS, type GatewayOptions } from './gatewayOptions'
export { allowsRun, createViewerTokens, type ViewerClaims, type ViewerTokens } from './viewerTokens'
