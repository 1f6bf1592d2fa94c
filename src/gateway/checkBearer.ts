import { createHash, timingSafeEqual } from 'node:crypto'

/** How an `Authorization` header compares with the publish key. */
export type BearerVerdict = 'ok' | 'missing' | 'wrong'

const digest = (text: string) => createHash('sha256').update(text).digest()

/**
 * Compares `Authorization: Bearer <key>` with the publish key in constant time: both sides are hashed first, so
 * neither the key's content nor its length leaks through timing.
 * @example
 * if (checkBearer(request.headers.authorization, key) !== 'ok') return reply(401, ...)
 */
export function checkBearer(header: string | undefined, key: string): BearerVerdict {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header)
  if (!match) return 'missing'
  return timingSafeEqual(digest(match[1]!), digest(key)) ? 'ok' : 'wrong'
}
