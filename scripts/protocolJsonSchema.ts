/**
 * Generates the JSON Schema of every protocol frame from the kit's own valibot schemas (src/protocol/schemas.ts)
 * with @valibot/to-json-schema. The build writes it to dist/protocol.schema.json (`live-progress/protocol.schema.json`)
 * and docs/protocol.schema.json is a checked-in copy that a test keeps equal to it.
 *
 * The schemas are written with `v.custom` over PROTOCOL's scalar predicates (smaller and faster than valibot's
 * pipes), which no converter can read: each custom schema is translated here from the words it already carries
 * (a scalar's "expected …" text, a rule's message). An unknown one stops the generation, so a new rule cannot be
 * dropped silently; test/protocol/jsonSchema.test.ts checks the result against the codec on a corpus.
 */
import { type JsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema'
import type * as v from 'valibot'
import {
  clientSchemas,
  controlSchemas,
  eventSchemas,
  planSchema,
  runStateSchema,
} from '../src/protocol/schemas'

const MAX_SAFE = Number.MAX_SAFE_INTEGER
/** Scalars by the text their schema expects. */
const SCALARS: Record<string, JsonSchema> = {
  '1-128 chars': { type: 'string', minLength: 1, maxLength: 128 },
  '1-64 chars': { type: 'string', minLength: 1, maxLength: 64 },
  '0-4096 chars': { type: 'string', maxLength: 4096 },
  'an integer >= 0': { type: 'integer', minimum: 0, maximum: MAX_SAFE },
  'an integer >= 1': { type: 'integer', minimum: 1, maximum: MAX_SAFE },
  'a finite number': { type: 'number' },
  'a finite number >= 0': { type: 'number', minimum: 0 },
  'a finite number > 0': { type: 'number', exclusiveMinimum: 0 },
  'a boolean': { type: 'boolean' },
}

/** Cross-field rules by their message; those JSON Schema cannot state are named in `$comment`. */
const RULES: Record<string, (schema: JsonSchema) => JsonSchema> = {
  'done > total': (s) =>
    comment(s, 'done ≤ total (the codec checks it; JSON Schema cannot compare two fields)'),
  'no weight > 0': (s) => ({
    ...s,
    contains: { type: 'object', properties: { weight: { exclusiveMinimum: 0 } }, required: ['weight'] },
  }),
  'duplicate phase id': (s) => comment(s, 'phase ids are unique (the codec checks it; JSON Schema cannot)'),
  'epoch required when head > 0': (s) => ({
    ...s,
    if: { properties: { head: { exclusiveMinimum: 0 } }, required: ['head'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable.
    then: { required: ['epoch'] },
  }),
}

function comment(schema: JsonSchema, text: string): JsonSchema {
  const before = (schema as { $comment?: string }).$comment
  return { ...schema, $comment: before ? `${before}; ${text}` : text }
}

/** One of a few exact values, from `a | b | c` (numbers stay numbers: the protocol version). */
function exactValues(expected: string): JsonSchema | null {
  const values = expected.split(' | ').map((value) => (/^\d+$/.test(value) ? Number(value) : value))
  if (values.some((value) => typeof value === 'string' && !/^[a-z_]+$/.test(value))) return null
  return values.length === 1 ? { const: values[0] } : { enum: values }
}

/** Translates one `v.custom` schema (a scalar, or a rule in a pipe after `current`). */
function translate(custom: { message?: unknown }, current: JsonSchema): JsonSchema {
  const { message } = custom
  if (typeof message === 'function') {
    const said = String(message({ received: '' }))
    const expected = /^expected (.*), got $/.exec(said)?.[1]
    const scalar = expected === undefined ? null : (SCALARS[expected] ?? exactValues(expected))
    if (scalar) return { ...current, ...scalar }
    throw new Error(`protocolJsonSchema: no JSON Schema for the scalar "${said}"`)
  }
  if (typeof message === 'string') {
    const max = /^max (\d+) items$/.exec(message)
    if (max) return { ...current, maxItems: Number(max[1]) }
    const rule = RULES[message]
    if (rule) return rule(current)
  }
  throw new Error(`protocolJsonSchema: no JSON Schema for the rule "${String(message)}"`)
}

const ref = (name: string) => ({ $ref: `#/$defs/${name}` })

/**
 * The JSON Schema (draft-07) of every frame: `$defs` holds one schema per frame type plus `RunState` and
 * `Plan`; the root accepts any frame, `ServerFrame` and `ClientFrame` one direction.
 * @example
 * writeFileSync('protocol.schema.json', `${JSON.stringify(protocolJsonSchema(), null, 2)}\n`)
 */
export function protocolJsonSchema(): JsonSchema {
  const frames = { ...eventSchemas, ...controlSchemas, ...clientSchemas }
  const definitions = { RunState: runStateSchema, Plan: planSchema, ...frames } as Record<
    string,
    v.GenericSchema
  >
  const defs = toJsonSchemaDefs(definitions, {
    target: 'draft-07',
    // A rule is a second schema in a pipe (valibot's `check` is not bundled): the override below reads it.
    errorMode: 'ignore',
    overrideSchema: ({ valibotSchema, jsonSchema }) =>
      valibotSchema.type === 'custom'
        ? translate(valibotSchema as { message?: unknown }, jsonSchema)
        : undefined,
  })
  const server = [...Object.keys(eventSchemas), ...Object.keys(controlSchemas)]
  const client = Object.keys(clientSchemas)
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://github.com/live-progress/live-progress/protocol.schema.json',
    title: 'live-progress protocol v1 (amended v1.1): every frame',
    description:
      'Generated from the kit’s valibot schemas (npm run build). Each frame is one JSON text message of at most 64 KiB ' +
      'of UTF-8. Not expressible here, checked by the codec: that limit, done ≤ total, unique phase ids, and lengths ' +
      'in UTF-16 code units (JSON Schema counts code points, so a string of astral characters may pass here and not there).',
    anyOf: [ref('ServerFrame'), ref('ClientFrame')],
    $defs: {
      ServerFrame: { description: 'Server → client', anyOf: server.map(ref) },
      ClientFrame: { description: 'Client → server', anyOf: client.map(ref) },
      ...defs,
    },
  } as JsonSchema
}
