import type { IncomingMessage } from 'node:http'

/** A request body as text, or why it could not be read. */
export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' }

/**
 * Reads a request body up to `maxBytes`, refusing early on a larger `Content-Length` and stopping as soon as
 * the stream passes the cap (the rest is drained, not buffered), so a huge body costs no memory.
 * @example
 * const body = await readBody(request, 1024 * 1024)
 * if (!body.ok) return reply(413, ...)
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume()
    return Promise.resolve({ ok: false, reason: 'too_large' })
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (result: BodyResult) => {
      if (settled) return
      settled = true
      resolve(result)
    }
    request.on('data', (chunk: Buffer) => {
      if (settled) return
      size += chunk.length
      if (size > maxBytes) {
        chunks.length = 0
        settle({ ok: false, reason: 'too_large' })
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => settle({ ok: true, text: Buffer.concat(chunks).toString('utf8') }))
    request.on('error', () => settle({ ok: false, reason: 'aborted' }))
    request.on('close', () => settle({ ok: false, reason: 'aborted' }))
  })
}
