import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { HubMetrics } from '../server/hubMetrics'

/** Hub counters that only grow: exported as Prometheus counters (`_total`), the rest as gauges. */
const HUB_COUNTERS = [
  ['events', 'Events accepted and logged'],
  ['rejected', 'Producer events the hub refused'],
  ['replays', 'Subscribes answered with a replay'],
  ['replayedEvents', 'Events sent in replays'],
  ['snapshotsSent', 'Snapshots sent'],
  ['snapshotsTrimmed', 'Snapshots trimmed to fit one frame'],
  ['snapshotsUnavailable', 'Subscribes answered snapshot_unavailable'],
  ['unknownRuns', 'Subscribes answered unknown_run'],
  ['abandoned', 'Runs failed as abandoned'],
  ['backpressureCloses', 'Connections closed for backpressure'],
  ['forbidden', 'Subscribes refused by authorization'],
  ['badFrames', 'Client frames that failed to decode'],
  ['heartbeats', 'Heartbeats sent'],
  ['persistErrors', 'Persistence or shared-store errors'],
  ['storeConflicts', 'Appends refused because another instance moved the run on'],
  ['storeFilled', 'Events read from the shared store to fill a gap'],
  ['storeReloads', 'Run positions taken whole from the shared store'],
  ['epochRotations', 'Lost tails caught and moved to a new epoch'],
] as const satisfies readonly (readonly [keyof HubMetrics, string])[]
const HUB_GAUGES = [
  ['connections', 'Open viewer connections'],
  ['runs', 'Runs in the registry'],
  ['forgotten', 'Forgotten run ids remembered'],
  ['agentsActive', 'Agents running, over every run'],
  ['callsInFlight', 'Tool calls started and not ended, over every run'],
  ['viewers', 'Viewers: subscriptions over every run'],
] as const satisfies readonly (readonly [keyof HubMetrics, string])[]

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

/**
 * The gateway's Prometheus registry (its own, never prom-client's global one): the hub's metrics read at scrape
 * time, HTTP request counts and latency by route, publish refusals by code, and Node's process metrics.
 * @example
 * const metrics = createGatewayMetrics(() => hub.metrics())
 * response.end(await metrics.text())
 */
export function createGatewayMetrics(read: () => HubMetrics) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'live_progress_' })
  for (const [key, help] of HUB_COUNTERS) {
    let last = 0
    new Counter({
      name: `live_progress_hub_${snake(key)}_total`,
      help,
      registers: [registry],
      // Counted by the hub: the scrape adds what it counted since the last one.
      collect() {
        const value = read()[key]
        if (value > last) this.inc(value - last)
        last = value
      },
    })
  }
  for (const [key, help] of HUB_GAUGES) {
    new Gauge({
      name: `live_progress_hub_${snake(key)}`,
      help,
      registers: [registry],
      collect() {
        this.set(read()[key])
      },
    })
  }
  new Gauge({
    name: 'live_progress_hub_runs_by_status',
    help: 'Runs in the registry by status',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      for (const [status, count] of Object.entries(read().runsByStatus)) this.set({ status }, count)
    },
  })
  const requests = new Counter({
    name: 'live_progress_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'live_progress_http_request_duration_seconds',
    help: 'HTTP request latency by route (SSE and WebSocket: until the response starts)',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const publishRefusals = new Counter({
    name: 'live_progress_publish_refusals_total',
    help: 'HTTP publishes refused, by error code and reason',
    labelNames: ['code', 'reason'] as const,
    registers: [registry],
  })
  const published = new Counter({
    name: 'live_progress_publish_events_total',
    help: 'Events accepted through the HTTP publish API',
    registers: [registry],
  })
  const replayed = new Counter({
    name: 'live_progress_publish_idempotent_replays_total',
    help: 'Publishes answered from the idempotency store',
    registers: [registry],
  })

  return {
    registry,
    contentType: registry.contentType,
    request(route: string, method: string, status: number, seconds: number) {
      requests.inc({ route, method, status: String(status) })
      latency.observe({ route, method }, seconds)
    },
    refused(code: string, reason = '') {
      publishRefusals.inc({ code, reason })
    },
    published(events: number) {
      published.inc(events)
    },
    replayed() {
      replayed.inc()
    },
    text: () => registry.metrics(),
  }
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>
