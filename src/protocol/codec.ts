import * as v from 'valibot'
import { fastDecode } from './fastDecode'
import { clientSchemas, controlSchemas, eventSchemas } from './schemas'
import {
  type ClientFrame,
  type DecodeError,
  type DecodeErrorCode,
  type DecodeResult,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type ServerFrame,
} from './types'

/** What a socket may hand us: text, bytes, or a fragmented message as a list of byte chunks. */
export type RawFrame = string | ArrayBuffer | ArrayBufferView | readonly ArrayBufferView[]

type SchemaTable = Record<string, v.GenericSchema>

const serverTable: SchemaTable = { ...eventSchemas, ...controlSchemas }
const clientTable: SchemaTable = clientSchemas
const parseConfig = { abortEarly: true, abortPipeEarly: true } as const

const fail = (code: DecodeErrorCode, detail: string): { ok: false; error: DecodeError } => ({
  ok: false,
  error: { code, detail },
})

// Only a high surrogate followed by a low one is a pair: "\ud800\u4e00" is 3 + 3 bytes, not 4 (undercounting
// let oversized frames past the cap).
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff

/** UTF-8 length of a JS string without encoding it (surrogate pairs count 4). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4
      i++
    } else bytes += 3 // a lone surrogate is sent as U+FFFD, 3 bytes
  }
  return bytes
}

const tooLargeError = (maxBytes: number) => fail('too_large', `over ${maxBytes} bytes`)

/** Bytes (or byte chunks) to text; strings never come here (`decodeWith` checks them inline). */
function toText(data: unknown, maxBytes: number): string | { ok: false; error: DecodeError } {
  // "Never throws" holds for hostile values too: a Proxy whose traps throw reaches `instanceof` and getters.
  try {
    const chunks: unknown[] = Array.isArray(data) ? data : [data]
    let size = 0
    for (const chunk of chunks) {
      if (!(chunk instanceof ArrayBuffer || ArrayBuffer.isView(chunk))) {
        return fail('bad_encoding', `not text or bytes: ${data === null ? 'null' : typeof data}`)
      }
      size += chunk.byteLength
    }
    if (size > maxBytes) return tooLargeError(maxBytes)
    // A decoder per frame: a stream cut short by bad bytes leaves nothing behind for the next frame.
    const decoder = new TextDecoder('utf-8', { fatal: true })
    let text = ''
    for (const chunk of chunks as AllowSharedBufferSource[]) text += decoder.decode(chunk, { stream: true })
    return text + decoder.decode()
  } catch {
    return fail('bad_encoding', 'not UTF-8')
  }
}

type Fast<F> = ((frame: Record<string, unknown>, type: string) => F | null) | null

/** Whether `text` takes more than `maxBytes` in UTF-8. Every UTF-16 unit is one to three bytes: only the middle band is counted. */
export const overBytes = (text: string, maxBytes: number): boolean =>
  text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text) > maxBytes)

function decodeWith<F>(data: unknown, table: SchemaTable, maxBytes: number, fast: Fast<F>): DecodeResult<F> {
  // Text is the common case: checked inline, without a wrapper object per frame.
  let text: string | { ok: false; error: DecodeError }
  if (typeof data === 'string') {
    if (overBytes(data, maxBytes)) return tooLargeError(maxBytes)
    text = data
  } else {
    text = toText(data, maxBytes)
    if (typeof text !== 'string') return text
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return fail('bad_json', 'not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('invalid', 'not a JSON object')
  }
  const frame = parsed as Record<string, unknown>
  if (frame.v !== PROTOCOL_VERSION) return fail('bad_version', `version ${String(frame.v)}`)
  const type = frame.type
  // The fast path knows its types by name (a `switch`), so it runs before the table lookup.
  if (fast !== null && typeof type === 'string') {
    const quick = fast(frame, type)
    if (quick !== null) return { ok: true, frame: quick }
  }
  // Object.hasOwn keeps keys such as `__proto__` or `constructor` from reaching a prototype.
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) {
    return fail('unknown_type', `type ${JSON.stringify(type)?.slice(0, 80)}`)
  }
  const result = v.safeParse(table[type]!, frame, parseConfig)
  if (result.success) return { ok: true, frame: result.output as F }
  const issue = result.issues[0]
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? ''
  return fail('invalid', `${type}${path ? `.${path}` : ''}: ${issue.message}`.slice(0, 300))
}

/**
 * Decodes one server → client frame. Never throws: the result is tagged.
 * @example
 * const result = decodeFrame(message.data)
 * if (result.ok) handle(result.frame)
 * else console.warn(result.error.code, result.error.detail)
 */
export function decodeFrame(data: unknown, maxBytes: number = MAX_FRAME_BYTES): DecodeResult<ServerFrame> {
  return decodeWith<ServerFrame>(data, serverTable, maxBytes, fastDecode)
}

/** Decodes one client → server frame (used by the hub). Never throws. */
export function decodeClientFrame(
  data: unknown,
  maxBytes: number = MAX_FRAME_BYTES,
): DecodeResult<ClientFrame> {
  return decodeWith<ClientFrame>(data, clientTable, maxBytes, null)
}

/** Encodes any frame as the JSON text the wire carries. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame)
}
