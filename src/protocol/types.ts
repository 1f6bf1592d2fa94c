import type * as v from 'valibot'
import type {
  activityEntrySchema,
  agentCountsSchema,
  clientSchemas,
  controlSchemas,
  eventSchemas,
  phasePlanEntrySchema,
  phaseStateSchema,
  runStateSchema,
  taskStateSchema,
} from './schemas'

/** The only protocol version this kit speaks. */
export const PROTOCOL_VERSION = 1 as const
/** PROTOCOL.md: every frame is at most 64 KiB of UTF-8. */
export const MAX_FRAME_BYTES = 64 * 1024

type Out<S extends v.GenericSchema> = v.InferOutput<S>

export type PhasePlanEntry = Out<typeof phasePlanEntrySchema>
export type PhaseStatus = PhaseState['status']
export type TaskState = Out<typeof taskStateSchema>
/** A phase of the run state. `detail` (the last progress label) and `expectedMs` extend PROTOCOL's list. */
export type PhaseState = Out<typeof phaseStateSchema>
export type ActivityEntry = Out<typeof activityEntrySchema>
export type ActivityType = ActivityEntry['type']
export type AgentCounts = Out<typeof agentCountsSchema>
/** The whole state of one run: what a `snapshot` carries and what the reducer builds. */
export type RunState = Out<typeof runStateSchema>
export type RunStatus = RunState['status']

type EventSchemas = typeof eventSchemas
/** Every sequenced server → client frame, keyed by `type`. */
export type EventByType = { [K in keyof EventSchemas]: Out<EventSchemas[K]> }
export type EventType = keyof EventByType
/** A sequenced frame (including `snapshot`). */
export type SequencedFrame = EventByType[EventType]
/** A sequenced frame that the reducer applies as a step (everything but `snapshot`). */
export type RunEvent = Exclude<SequencedFrame, SnapshotFrame>
export type SnapshotFrame = EventByType['snapshot']
/** Liveness of one run; `epoch` is absent (and `head` 0) while the run has issued nothing (v1.1 decision 10). */
export type HeartbeatFrame = Out<(typeof controlSchemas)['heartbeat']>
/** v1.1: the answer to every accepted `subscribe`/`resync`, before any replay or snapshot. */
export type SubscribedFrame = Out<(typeof controlSchemas)['subscribed']>
export type ErrorFrame = Out<(typeof controlSchemas)['error']>
/** Anything a server may send to a client. */
export type ServerFrame = SequencedFrame | HeartbeatFrame | SubscribedFrame | ErrorFrame

type ClientSchemas = typeof clientSchemas
export type SubscribeFrame = Out<ClientSchemas['subscribe']>
export type ResyncFrame = Out<ClientSchemas['resync']>
export type UnsubscribeFrame = Out<ClientSchemas['unsubscribe']>
/** Anything a client may send to a server. */
export type ClientFrame = SubscribeFrame | ResyncFrame | UnsubscribeFrame

/** Why a frame was refused by the codec. */
export type DecodeErrorCode =
  | 'too_large'
  | 'bad_encoding'
  | 'bad_json'
  | 'bad_version'
  | 'unknown_type'
  | 'invalid'

export interface DecodeError {
  code: DecodeErrorCode
  detail: string
}

export type DecodeResult<F> = { ok: true; frame: F } | { ok: false; error: DecodeError }

/** Fields of an event other than the envelope: what a producer supplies. */
export type EventBody<T extends EventType> = Omit<EventByType[T], 'v' | 'run' | 'epoch' | 'seq' | 'ts'>
