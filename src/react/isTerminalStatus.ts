/**
 * Whether a run with this status is over (completed, failed or cancelled): nothing moves after it. The react
 * layer imports only types from the core, so it has its own copy of the core's `isTerminal`.
 * @example
 * isTerminalStatus('failed') // true
 */
export const isTerminalStatus = (status: string) =>
  status === 'completed' || status === 'failed' || status === 'cancelled'
