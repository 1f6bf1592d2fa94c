import type { IncomingMessage } from 'node:http'
import { createProgressHub, type ProgressHub } from '../server/createProgressHub'
import type { ProgressHubOptions } from '../server/hubOptions'

/**
 * The one place the gateway builds its hub, so a store (persist) or other hub option plugs in here.
 * @example
 * const hub = createGatewayHub({ heartbeatMs: 5000 }, auth.authorize, report)
 */
export function createGatewayHub(
  options: Omit<ProgressHubOptions<IncomingMessage>, 'authorize'> = {},
  authorize: (request: IncomingMessage, runId: string) => boolean,
  onError: (error: unknown, context: string) => void,
): ProgressHub<IncomingMessage> {
  return createProgressHub<IncomingMessage>({ onError, ...options, authorize })
}
