import { jwtVerify, SignJWT } from 'jose'

/**
 * What a viewer token allows: the runs it may follow, by exact id or by id prefix, until `exp` (seconds since
 * 1970, required).
 */
export interface ViewerClaims {
  runs?: string[]
  prefixes?: string[]
  exp: number
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined

/** May a viewer holding `claims` follow `runId` now? */
export function allowsRun(claims: ViewerClaims, runId: string, nowMs: number): boolean {
  if (claims.exp * 1000 <= nowMs) return false
  return (
    (claims.runs?.includes(runId) ?? false) ||
    (claims.prefixes?.some((prefix) => prefix.length > 0 && runId.startsWith(prefix)) ?? false)
  )
}

/**
 * HS256 viewer tokens (JWT, through `jose`): the gateway verifies them, a backend signs them (any JWT library
 * does; `sign` is here for Node backends and tests).
 * @example
 * const tokens = createViewerTokens(process.env.LIVE_PROGRESS_VIEWER_SECRET!)
 * const token = await tokens.sign({ runs: ['report-42'] }, 300)
 * // the browser: createProgressClient({ url: async () => `wss://progress.example/v1/live?token=${await fetchToken()}` })
 */
export function createViewerTokens(secret: string) {
  const key = new TextEncoder().encode(secret)
  return {
    /** Signs a token for `runs`/`prefixes`, valid for `ttlSeconds`. */
    sign(claims: Omit<ViewerClaims, 'exp'>, ttlSeconds: number): Promise<string> {
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(key)
    },
    /** The claims of a valid, unexpired token, or null (bad signature, other algorithm, no `exp`, expired). */
    async verify(token: string): Promise<ViewerClaims | null> {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] })
        const claims: ViewerClaims = { exp: payload.exp! }
        const runs = strings(payload.runs)
        const prefixes = strings(payload.prefixes)
        if (runs) claims.runs = runs
        if (prefixes) claims.prefixes = prefixes
        return claims
      } catch {
        return null
      }
    },
  }
}

export type ViewerTokens = ReturnType<typeof createViewerTokens>
