import type { ReactNode } from 'react'
import { act } from 'react'
import { createRoot } from 'react-dom/client'
import { ProgressProvider, type ProgressSource } from '../../src/react/index'

/** Renders `children` under a ProgressProvider in a 480 px box on the real page; `unmount` removes it all. */
export async function mountInPage(client: ProgressSource, children: ReactNode) {
  const host = document.createElement('div')
  host.style.width = '480px'
  document.body.append(host)
  const root = createRoot(host)
  await act(async () => {
    root.render(<ProgressProvider client={client}>{children}</ProgressProvider>)
  })
  return {
    host,
    async unmount() {
      await act(async () => root.unmount())
      host.remove()
    },
  }
}
