import type { IncomingMessage } from 'node:http'
import { allowsRun, createViewerTokens, type ViewerClaims } from './viewerTokens'

/**
 * Viewer authorization for WebSocket and SSE requests: without a secret every viewer may follow every run;
 * with one, the request's `?token=` must verify (checked once, before the upgrade or the stream starts) and
 * each subscribe is checked against its claims and expiry.
 * @example
 * const auth = createViewerAuth(secret)
 * if (!(await auth.admit(request))) return reject(401)
 * createProgressHub({ authorize: auth.authorize })
 */
export function createViewerAuth(secret: string | undefined, now: () => number = () => Date.now()) {
  const tokens = secret === undefined ? null : createViewerTokens(secret)
  const claimsOf = new WeakMap<IncomingMessage, ViewerClaims>()
  return {
    /** Verifies the request's token (true without a secret); remembers its claims for `authorize`. */
    async admit(request: IncomingMessage): Promise<boolean> {
      if (!tokens) return true
      const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token')
      const claims = token ? await tokens.verify(token) : null
      if (claims) claimsOf.set(request, claims)
      return claims !== null
    },
    /** The hub's `authorize`: may this request follow this run now? */
    authorize(request: IncomingMessage, runId: string): boolean {
      if (!tokens) return true
      const claims = claimsOf.get(request)
      return claims !== undefined && allowsRun(claims, runId, now())
    },
  }
}
