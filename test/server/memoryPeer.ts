import { decodeFrame } from '../../src/protocol/codec'
import type { ServerFrame } from '../../src/protocol/types'
import type { HubConnection, HubPeer, ProgressHub } from '../../src/server'

/** An in-memory transport with a settable `bufferedAmount`: the seam a browser story uses too. */
export function memoryPeer() {
  /** Everything the hub sent but `subscribed` acknowledgements (those are in `acks`, and all of it in `all`). */
  const frames: ServerFrame[] = []
  const acks: ServerFrame[] = []
  const all: ServerFrame[] = []
  const peer = {
    bufferedAmount: 0,
    closedWith: null as { code: number; reason: string } | null,
    send(text: string) {
      const result = decodeFrame(text)
      // Every frame the hub sends must pass the client's own decoder.
      if (!result.ok) throw new Error(`hub sent an invalid frame: ${result.error.detail}`)
      all.push(result.frame)
      ;(result.frame.type === 'subscribed' ? acks : frames).push(result.frame)
    },
    close(code: number, reason: string) {
      peer.closedWith = { code, reason }
    },
  } satisfies HubPeer & Record<string, unknown>
  return { peer, frames, acks, all }
}

/** Connects an in-memory peer and returns helpers to talk the client side of the protocol. */
export function connectMemory<R>(hub: ProgressHub<R>, request?: R) {
  const { peer, frames, acks, all } = memoryPeer()
  const connection: HubConnection = hub.connect(peer, request)
  return {
    peer,
    frames,
    acks,
    all,
    connection,
    send: (frame: object | string) =>
      connection.receive(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    ofRun: (run: string) => frames.filter((f) => 'run' in f && f.run === run),
    seqs: (run: string) =>
      frames.filter((f) => 'seq' in f && f.run === run).map((f) => (f as { seq: number }).seq),
  }
}
