// @vitest-environment node
import { createProgressClient } from '../../../src/client/index'
import { createProgressHub, type ProgressHub } from '../../../src/server/index'
import type { TransportFactory } from '../../../src/transport/transport'
import { waitFor } from './scriptedServer'

/**
 * The transport seam without sockets: the client talks to the real hub through `hub.connect`. What a
 * Storybook story or an SSE transport would plug in instead of the WebSocket one.
 */
function inMemory(hub: ProgressHub, openAt: 'sync' | 'async'): TransportFactory & { drop(): void } {
  let current: { drop(): void } | null = null
  const factory = ((handlers) => {
    let open = true
    const connection = hub.connect({
      // Delivery in a later task, as a socket would do it.
      send: (text) => setImmediate(() => open && handlers.onMessage(text)),
      bufferedAmount: 0,
      close: () => {
        open = false
        handlers.onClose(true)
      },
    })
    current = {
      drop() {
        open = false
        connection.closed()
        handlers.onClose(true)
      },
    }
    if (openAt === 'sync') handlers.onOpen()
    else queueMicrotask(() => handlers.onOpen())
    return {
      send(text) {
        if (!open) return false
        connection.receive(text)
        return true
      },
      close() {
        if (!open) return
        open = false
        connection.closed()
      },
      get isOpen() {
        return open
      },
    }
  }) as TransportFactory & { drop(): void }
  factory.drop = () => current?.drop()
  return factory
}

describe('createProgressClient over an in-memory transport', () => {
  it.each(['sync', 'async'] as const)('follows a real hub run to completion (opens %s)', async (openAt) => {
    const hub = createProgressHub({ heartbeatMs: 50 })
    const client = createProgressClient({ transport: inMemory(hub, openAt), flush: 'sync' })
    try {
      client.follow('run-1')
      const run = hub.run('run-1')
      expect(await run.firstSubscriber({ timeoutMs: 2000 })).toBe(true)
      await run.start([{ id: 'only', label: 'Only', weight: 1 }])
      await run.phaseProgress('only', 1, 2)
      await run.phaseProgress('only', 2, 2)
      await run.phaseCompleted('only')
      await run.complete()
      const view = await waitFor(() => {
        const found = client.store.getState().runs['run-1']
        return found?.status === 'completed' ? found : undefined
      })
      expect(view.phases).toEqual(hub.state('run-1')!.phases)
      expect(view.displayed).toBe(1)
      expect(client.store.getState().connection.status).toBe('open')
    } finally {
      client.close()
      await hub.close()
    }
  })

  it('a transport that ends for good leaves the client closed', async () => {
    const hub = createProgressHub()
    const transport = inMemory(hub, 'async')
    const client = createProgressClient({ transport, flush: 'sync' })
    try {
      client.follow('run-1')
      await waitFor(() => (client.store.getState().connection.status === 'open' ? true : undefined))
      transport.drop()
      expect(client.store.getState().connection.status).toBe('closed')
    } finally {
      client.close()
      await hub.close()
    }
  })
})
