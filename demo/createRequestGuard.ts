/** What the guard reads of a request: Node's `IncomingMessage` fits. */
export interface GuardedRequest {
  method?: string | undefined
  headers: Record<string, string | string[] | undefined>
}

export type GuardVerdict = { ok: true } | { ok: false; status: number; reason: string }

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

const header = (request: GuardedRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/** The host name of a `Host` header or an origin's authority, lower case, without the port; null if unreadable. */
export function hostName(authority: string): string | null {
  try {
    return new URL(`http://${authority}`).hostname.toLowerCase()
  } catch {
    return null
  }
}

/**
 * The demo is a local app: it answers only requests addressed to a loopback name (or the address it was told to
 * bind), so a page on another site cannot reach it through DNS rebinding, and only requests from its own
 * origin, so a page on another origin cannot drive it (chaos, kill, restart, new runs) nor open its socket.
 * POSTs must be JSON, which a cross-origin page cannot send without a preflight the demo never answers.
 * @example
 * const guard = createRequestGuard({ host: '127.0.0.1' })
 * const verdict = guard.check(request)
 * if (!verdict.ok) return refuse(response, verdict)
 */
export function createRequestGuard(options: { host: string }) {
  const bound = options.host.toLowerCase()
  // Binding every interface makes the machine's own addresses reachable, but a name still has to be loopback.
  const hostAllowed = (name: string | null) =>
    name !== null && (LOOPBACK.has(name) || (name === bound && bound !== '0.0.0.0' && bound !== '::'))

  function check(request: GuardedRequest): GuardVerdict {
    const host = header(request, 'host')
    if (host === undefined || !hostAllowed(hostName(host))) {
      return { ok: false, status: 421, reason: 'this demo answers only on localhost' }
    }
    const origin = header(request, 'origin')
    // Browsers send Origin on every POST and WebSocket; same-origin means the very authority the page came from.
    if (origin !== undefined) {
      let authority: string | null = null
      try {
        const url = new URL(origin)
        if (url.protocol === 'http:' || url.protocol === 'https:') authority = url.host.toLowerCase()
      } catch {}
      if (authority !== host.toLowerCase()) {
        return { ok: false, status: 403, reason: 'cross-origin requests are refused' }
      }
    }
    if (request.method === 'POST') {
      const type = header(request, 'content-type')?.split(';')[0]?.trim().toLowerCase()
      if (type !== 'application/json') {
        return { ok: false, status: 415, reason: 'POST bodies must be application/json' }
      }
    }
    return { ok: true }
  }

  return { check }
}
