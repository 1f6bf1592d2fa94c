import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createProgressClient } from '../src/client/createProgressClient'
import { createWebSocketTransport } from '../src/transport/createWebSocketTransport'
import '../src/react/styles.css'
import { App } from './App'
import './demo.css'
import { createNaiveProgress } from './naiveProgress'

const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`
const naive = createNaiveProgress()

// One socket; every frame is teed to the naive bar before the kit sees it, so both get the same stream.
const client = createProgressClient({
  transport: (handlers) =>
    createWebSocketTransport(
      {
        ...handlers,
        onMessage(data) {
          naive.feed(data)
          handlers.onMessage(data)
        },
      },
      { url, reconnect: { minReconnectionDelay: 500, maxReconnectionDelay: 3000 } },
    ),
})

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} naive={naive} />
  </StrictMode>,
)
