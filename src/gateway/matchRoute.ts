/** The gateway's endpoints. */
export type Route =
  | { name: 'publish'; run: string }
  | { name: 'run'; run: string }
  | { name: 'live' }
  | { name: 'sse' }
  | { name: 'healthz' }
  | { name: 'metrics' }
  | { name: 'unknown' }

/** A run id from the path: one percent-encoded segment, or raw segments with `/` in them. */
function runOf(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded)
  } catch {
    return null
  }
}

/**
 * Maps a request path to an endpoint. Run ids may hold `/` (`team-7/report-42`): send them percent-encoded
 * (`team-7%2Freport-42`); raw slashes work too, except in an id ending with `/events`.
 * @example
 * matchRoute('/v1/runs/report-42/events') // { name: 'publish', run: 'report-42' }
 */
export function matchRoute(pathname: string): Route {
  switch (pathname) {
    case '/v1/live':
      return { name: 'live' }
    case '/v1/sse':
      return { name: 'sse' }
    case '/healthz':
      return { name: 'healthz' }
    case '/metrics':
      return { name: 'metrics' }
  }
  const publish = /^\/v1\/runs\/(.+)\/events$/.exec(pathname)
  const run = publish ? null : /^\/v1\/runs\/(.+)$/.exec(pathname)
  const id = runOf((publish ?? run)?.[1] ?? '')
  if (id === null || id === '') return { name: 'unknown' }
  return publish ? { name: 'publish', run: id } : { name: 'run', run: id }
}
