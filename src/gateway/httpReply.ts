import type { ServerResponse } from 'node:http'

/** The JSON error body of the HTTP API: `{"error": {code, reason?, index?, message}}`. */
export interface ApiError {
  code: string
  message: string
  reason?: string
  index?: number
}

/** Sends `body` as JSON with `status` (and any extra headers). */
export function replyJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  })
  response.end(text)
}

/** Sends an API error. */
export function replyError(
  response: ServerResponse,
  status: number,
  error: ApiError,
  headers: Record<string, string> = {},
): void {
  replyJson(response, status, { error }, headers)
}
