import { act, type ReactNode } from 'react'
import { cdp } from 'vitest/browser'
import { ProgressBar } from '../../src/react/index'
import '../../src/react/styles.css'
import { createRunLog, createTestStore, PLAN } from '../react/frames'
import { mountInPage } from './mountInPage'

// The defaults of src/react/styles.css, as Chromium computes them.
const LIGHT_FILL = 'rgb(9, 105, 218)'
const DARK_FILL = 'rgb(68, 147, 248)'

const fillOf = (bar: Element) => getComputedStyle(bar.querySelector('.lp-bar__fill')!).backgroundColor

/** Mounts `ui` (bars of run r1) and starts r1, so every bar draws a fill. */
async function mountStarted(ui: ReactNode) {
  const source = createTestStore()
  const log = createRunLog()
  const mounted = await mountInPage(source, ui)
  await act(async () => {
    source.feed(log.next('run_started', { plan: PLAN }), log.next('phase_started', { phase: 'search' }))
  })
  return mounted
}

// Real cascade: the nearest data-theme decides, however themes nest, and a page's own --lp-* still wins.
test('the nearest data-theme picks light or dark, nested either way, on an ancestor or the part itself', async () => {
  const { host, unmount } = await mountStarted(
    <>
      <ProgressBar runId="r1" data-case="system" />
      <div data-theme="dark">
        <ProgressBar runId="r1" data-case="dark" />
        <div data-theme="light">
          <ProgressBar runId="r1" data-case="light in dark" />
        </div>
        <ProgressBar runId="r1" data-case="light part in dark" data-theme="light" />
      </div>
      <div data-theme="light">
        <div data-theme="dark">
          <ProgressBar runId="r1" data-case="dark in light" />
        </div>
      </div>
      <div style={{ '--lp-fill': 'rgb(1, 2, 3)' } as React.CSSProperties} data-theme="dark">
        <ProgressBar runId="r1" data-case="custom" />
      </div>
    </>,
  )
  const fill = (name: string) => fillOf(host.querySelector(`[data-case="${name}"]`)!)
  const system = matchMedia('(prefers-color-scheme: dark)').matches ? DARK_FILL : LIGHT_FILL
  expect({
    system: fill('system'),
    dark: fill('dark'),
    lightInDark: fill('light in dark'),
    lightPartInDark: fill('light part in dark'),
    darkInLight: fill('dark in light'),
    custom: fill('custom'),
  }).toEqual({
    system,
    dark: DARK_FILL,
    lightInDark: LIGHT_FILL,
    lightPartInDark: LIGHT_FILL,
    darkInLight: DARK_FILL,
    custom: 'rgb(1, 2, 3)',
  })
  await unmount()
})

// With no data-theme anywhere, the system decides: emulate each scheme through the DevTools protocol.
test('without a data-theme the system colour scheme decides, dark included', async () => {
  const { host, unmount } = await mountStarted(<ProgressBar runId="r1" />)
  const bar = host.querySelector('.lp-bar')!
  const scheme = async (value: 'light' | 'dark') => {
    await cdp().send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value }] })
    return fillOf(bar)
  }
  try {
    expect(await scheme('dark')).toBe(DARK_FILL)
    expect(await scheme('light')).toBe(LIGHT_FILL)
  } finally {
    await cdp().send('Emulation.setEmulatedMedia', { features: [] })
    await unmount()
  }
})
