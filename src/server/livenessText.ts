import { encodeFrame } from '../protocol/codec'
import type { HeartbeatFrame, SubscribedFrame } from '../protocol/types'

/** What the hub holds of a run: no epoch while it has issued nothing (v1.1 decision 10). */
interface RunHead {
  run: string
  epoch: string
  head: number
}

/**
 * The `subscribed` answer (v1.1 addition A), sent before any replay or snapshot.
 * @example
 * subscriber.deliver(subscribedText({ run: id, epoch, head }, options.heartbeatMs))
 */
export function subscribedText({ run, epoch, head }: RunHead, heartbeatMs: number): string {
  const frame: SubscribedFrame = { v: 1, type: 'subscribed', run, head, heartbeatMs }
  if (head > 0) frame.epoch = epoch
  return encodeFrame(frame)
}

/**
 * A heartbeat with `idle` (v1.1 addition B): ms since the run's last sequenced event by the hub's clock, so a client
 * tells a silent producer from a silent connection. `lastEventAt` is null when unknown (a run loaded from storage).
 * @example
 * deliver(heartbeatText({ run: id, epoch, head }, now(), lastEventAt))
 */
export function heartbeatText({ run, epoch, head }: RunHead, ts: number, lastEventAt: number | null): string {
  const frame: HeartbeatFrame = { v: 1, type: 'heartbeat', run, head, ts }
  if (head > 0) frame.epoch = epoch
  if (head > 0 && lastEventAt !== null) frame.idle = Math.max(0, Math.round(ts - lastEventAt))
  return encodeFrame(frame)
}
