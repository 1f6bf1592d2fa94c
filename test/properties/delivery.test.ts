import fc from 'fast-check'
import { createProgressStore } from '../../src/client/createProgressStore'
import { encodeFrame } from '../../src/protocol/codec'
import { exampleLog, reEpoch, runLogArb } from '../support/logs'
import { BUFFER, createHarness, essence, inOrder } from './harness'

/**
 * Whatever the network does to a valid log — reorder within the buffer window, duplicate, lose, restart the
 * server — the client ends in the same run state as in-order application, and the bar never goes back.
 */

const RUNS = 60

/** A permutation that moves no frame further than `window` places (sort by index + jitter). */
const jitteredOrder = (n: number, window: number) =>
  fc.array(fc.nat(window - 1), { minLength: n, maxLength: n }).map((jitter) =>
    jitter
      .map((j, i) => ({ i, key: i + j }))
      .sort((a, b) => a.key - b.key || a.i - b.i)
      .map((x) => x.i),
  )

const logWithOrder = runLogArb.chain((log) =>
  fc.tuple(fc.constant(log), jitteredOrder(log.events.length, BUFFER - 1)),
)

describe('delivery properties over generated run logs', () => {
  test('any permutation within the buffer window ends as in-order application', () => {
    fc.assert(
      fc.property(logWithOrder, ([log, order]) => {
        const h = createHarness({ log, head: log.events.length })
        for (const i of order) h.deliver(log.events[i]!)
        h.settle()
        expect(essence(h.view()!)).toEqual(essence(inOrder(log)))
        expect(h.monotone()).toBe(true)
        expect(h.view()!.stats.duplicates).toBe(0)
      }),
      { numRuns: RUNS },
    )
  })

  test('a permutation wider than the buffer overflows it, and the resync still ends as in-order application', () => {
    const small = 6
    const wide = runLogArb.chain((log) =>
      fc.tuple(fc.constant(log), jitteredOrder(log.events.length, 4 * small)),
    )
    let overflows = 0
    fc.assert(
      fc.property(wide, ([log, order]) => {
        const h = createHarness({ log, head: log.events.length }, small)
        for (const i of order) h.deliver(log.events[i]!)
        h.settle()
        expect(essence(h.view()!)).toEqual(essence(inOrder(log)))
        expect(h.monotone()).toBe(true)
        overflows += h.view()!.stats.overflows
      }),
      { numRuns: RUNS / 2 },
    )
    expect(overflows).toBeGreaterThan(0) // the property did exercise the overflow path
  })

  test('any duplication ends as in-order application', () => {
    const arb = logWithOrder.chain(([log, order]) =>
      fc.tuple(
        fc.constant(log),
        fc.constant(order),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 40 }),
      ),
    )
    fc.assert(
      fc.property(arb, ([log, order, copies]) => {
        const delivery = order.map((i) => log.events[i]!)
        for (const [which, where] of copies) {
          const frame = log.events[which % log.events.length]!
          // A copy goes anywhere after the original's first delivery: duplicates are late, not early.
          const first = delivery.findIndex((f) => f.seq === frame.seq)
          delivery.splice(first + 1 + (where % (delivery.length - first)), 0, frame)
        }
        const h = createHarness({ log, head: log.events.length })
        for (const frame of delivery) h.deliver(frame)
        h.settle()
        expect(essence(h.view()!)).toEqual(essence(inOrder(log)))
        expect(h.monotone()).toBe(true)
        expect(h.view()!.stats.duplicates).toBe(copies.length)
      }),
      { numRuns: RUNS },
    )
  })

  test('any loss followed by a resync answered from the full log ends as in-order application', () => {
    const arb = logWithOrder.chain(([log, order]) =>
      fc.tuple(
        fc.constant(log),
        fc.constant(order),
        fc.array(fc.boolean(), { minLength: log.events.length, maxLength: log.events.length }),
      ),
    )
    fc.assert(
      fc.property(arb, ([log, order, lost]) => {
        const h = createHarness({ log, head: log.events.length })
        for (const i of order) if (!lost[i]) h.deliver(log.events[i]!)
        h.heartbeat() // the server's head reveals a lost tail
        h.settle()
        expect(essence(h.view()!)).toEqual(essence(inOrder(log)))
        expect(h.monotone()).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  test('any epoch restart answered with a snapshot ends as in-order application of the new log', () => {
    const arb = runLogArb.chain((log) =>
      fc.tuple(
        fc.constant(log),
        fc.integer({ min: 1, max: log.events.length }), // what the client got of the old epoch
        fc.integer({ min: 1, max: log.events.length }), // where in the new epoch it joins
        fc.array(fc.nat(), { maxLength: 5 }), // late frames of the old epoch after the switch
      ),
    )
    fc.assert(
      fc.property(arb, ([old, received, joinAt, late]) => {
        const server = { log: reEpoch(old, 'e2'), head: joinAt }
        const h = createHarness(server)
        for (const event of old.events.slice(0, received)) h.deliver(event)
        // The server restarted and replayed the job up to joinAt; the client sees the newest frame first.
        h.deliver(server.log.events[joinAt - 1]!)
        for (const n of late) h.deliver(old.events[n % old.events.length]!)
        h.settle()
        server.head = server.log.events.length
        for (const event of server.log.events.slice(joinAt)) h.deliver(event)
        h.settle()
        const view = h.view()!
        expect(view.epoch).toBe('e2')
        expect(essence(view)).toEqual(essence(inOrder(server.log)))
        expect(h.monotone()).toBe(true)
      }),
      { numRuns: RUNS },
    )
  })

  test('arbitrary strings and bytes fed to ingest never throw and never change state', () => {
    const log = exampleLog()
    const world = { t: 0 }
    const progress = createProgressStore({
      flush: 'sync',
      now: () => world.t,
      env: { setTimeout: () => 0, clearTimeout: () => {} },
    })
    for (const event of log.events.slice(0, 10)) progress.ingest(encodeFrame(event))
    const runs = progress.store.getState().runs
    const before = structuredClone(runs)
    const junk = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.anything(),
    )
    fc.assert(
      fc.property(junk, (data) => {
        expect(() => progress.ingest(data)).not.toThrow()
        expect(progress.store.getState().runs).toBe(runs)
      }),
      { numRuns: 500 },
    )
    expect(structuredClone(progress.store.getState().runs)).toEqual(before)
  })
})
