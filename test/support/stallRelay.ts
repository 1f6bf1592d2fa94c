import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'

export interface StallRelay {
  url: string
  /** TCP connections accepted so far. */
  readonly connections: number
  /** Client connections whose both sides are still open. */
  live(): number
  /**
   * The connections open now stop forwarding (server → client only, or both ways) and stay open: no FIN, no RST,
   * as a stuck proxy or a lost NAT flow behaves. Later connections are healthy.
   */
  stall(direction?: 'to-client' | 'both'): void
  close(): Promise<void>
}

/**
 * A byte-level TCP relay on 127.0.0.1 in front of a hub: it forwards raw bytes both ways (WebSocket frames, pings and
 * pongs alike) until told to stall.
 */
export function startStallRelay(targetPort: number): Promise<StallRelay> {
  const pairs = new Set<{ client: Socket; upstream: Socket; toClient: boolean; toServer: boolean }>()
  let connections = 0
  const server: Server = createServer((client) => {
    connections++
    const upstream = tcpConnect(targetPort, '127.0.0.1')
    const pair = { client, upstream, toClient: true, toServer: true }
    pairs.add(pair)
    const end = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('error', end).on('close', end)
    upstream.on('error', end).on('close', end)
    upstream.on('data', (chunk) => {
      if (pair.toClient) client.write(chunk)
    })
    client.on('data', (chunk) => {
      if (pair.toServer) upstream.write(chunk)
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      resolve({
        url: `ws://127.0.0.1:${port}`,
        get connections() {
          return connections
        },
        live: () => pairs.size,
        stall(direction = 'to-client') {
          for (const pair of pairs) {
            pair.toClient = false
            if (direction === 'both') pair.toServer = false
          }
        },
        close: () =>
          new Promise<void>((done) => {
            for (const pair of [...pairs]) {
              pair.client.destroy()
              pair.upstream.destroy()
            }
            server.close(() => done())
          }),
      })
    })
  })
}
