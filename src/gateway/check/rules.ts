/** The rules `live-progress check` verifies, each with where PROTOCOL.md states it. */
export const RULES = {
  'frame-valid': 'every server frame decodes under the protocol schemas (Frames; v1.1)',
  'frame-text': 'frames are text messages, never binary (Frames)',
  'frame-size': 'no server frame is over 64 KiB (Frames)',
  'subscribed-first': 'every accepted subscribe/resync is answered with `subscribed` first (v1.1 A)',
  'subscribe-answer':
    'a subscribe without a position gets a snapshot or the log from seq 1, up to the head (subscribe)',
  'seq-contiguous':
    'a run’s seqs on a connection go 1, 2, 3 … after the snapshot or resume point, no holes, one epoch (seq)',
  'replay-exact':
    'a resume after `after` replays exactly the events after it, each identical to the first time (subscribe)',
  'log-valid': 'every logged event passes the phase rules of the kit’s reducer (client rule 6)',
  'snapshot-equals-log':
    'a snapshot’s state equals the log up to its seq replayed through the reducer (Run state; v1.1 4)',
  'stale-epoch':
    'a resume in another epoch gets a snapshot (or the log from seq 1) of the current epoch (subscribe; rule 3)',
  'resync-past-head':
    'a resync after a seq beyond the head is answered: subscribed, then a snapshot or the log from seq 1 (resync)',
  'bad-frame-error':
    'an invalid client frame gets `error {code: "bad_frame"}` (or a 1008 close) and the connection keeps working (v1.1 6)',
  'binary-frame': 'a binary client message is an invalid frame: `bad_frame` (v1.1 7)',
  'frame-limit': 'a client frame over 64 KiB is refused: `bad_frame` or close 1009 (Frames; v1.1 6)',
  'error-codes': 'error frames use the codes of v1.1 decision 6',
  'heartbeat-cadence': 'each subscribed run gets a heartbeat at least every `heartbeatMs` (v1.1 C)',
  'heartbeat-head': 'a heartbeat’s `head` is the last seq issued and its `epoch` the run’s epoch (heartbeat)',
  'empty-run': 'a run with nothing issued: `subscribed` and heartbeats with head 0 and no epoch (v1.1 10, A)',
  'unsubscribe-stops': 'after `unsubscribe` no more frames of that run arrive (unsubscribe)',
  reachable: 'the server accepts a WebSocket connection at the URL',
} as const

export type Rule = keyof typeof RULES

/** Error codes of v1.1 decision 6. */
export const ERROR_CODES = new Set([
  'bad_frame',
  'forbidden',
  'unknown_run',
  'too_many_subscriptions',
  'snapshot_unavailable',
  'rate_limited',
  'overloaded',
])
