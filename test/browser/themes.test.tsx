import { act, type ReactNode } from 'react'
import { cdp } from 'vitest/browser'
import { ProgressBar, RunProgress } from '../../src/react/index'
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

// Tailwind, shadcn and next-themes switch with a class, next-themes also with an inline color-scheme; all of them
// nest with data-theme, and the nearest one decides.
test('classes light | dark and an inline color-scheme switch too, nearest first, mixed with data-theme', async () => {
  const { host, unmount } = await mountStarted(
    <>
      <div className="dark">
        <ProgressBar runId="r1" data-case="dark class" />
        <div data-theme="light">
          <ProgressBar runId="r1" data-case="data-theme light in dark class" />
          <div style={{ colorScheme: 'dark' }}>
            <ProgressBar runId="r1" data-case="inline dark in data-theme light" />
          </div>
        </div>
        <ProgressBar runId="r1" data-case="light class part" className="light" />
      </div>
      <div data-theme="dark">
        <div className="light">
          <ProgressBar runId="r1" data-case="light class in data-theme dark" />
        </div>
        <div style={{ colorScheme: 'light' }}>
          <ProgressBar runId="r1" data-case="inline light in data-theme dark" />
        </div>
      </div>
    </>,
  )
  const fill = (name: string) => fillOf(host.querySelector(`[data-case="${name}"]`)!)
  expect({
    darkClass: fill('dark class'),
    lightInDarkClass: fill('data-theme light in dark class'),
    inlineDark: fill('inline dark in data-theme light'),
    lightClassPart: fill('light class part'),
    lightClassInDark: fill('light class in data-theme dark'),
    inlineLight: fill('inline light in data-theme dark'),
  }).toEqual({
    darkClass: DARK_FILL,
    lightInDarkClass: LIGHT_FILL,
    inlineDark: DARK_FILL,
    lightClassPart: LIGHT_FILL,
    lightClassInDark: LIGHT_FILL,
    inlineLight: LIGHT_FILL,
  })
  // Native parts (scrollbars, the feed's button) follow the kit's scheme.
  expect(getComputedStyle(host.querySelector('[data-case="dark class"]')!).colorScheme).toBe('dark')
  expect(getComputedStyle(host.querySelector('[data-case="light class part"]')!).colorScheme).toBe('light')
  await unmount()
})

test('a page\'s <meta name="color-scheme"> beats the system, and a switch on an element beats the meta', async () => {
  const { host, unmount } = await mountStarted(
    <>
      <ProgressBar runId="r1" data-case="page" />
      <div className="light">
        <ProgressBar runId="r1" data-case="light class" />
      </div>
    </>,
  )
  const meta = document.createElement('meta')
  meta.name = 'color-scheme'
  document.head.append(meta)
  const fill = (name: string) => fillOf(host.querySelector(`[data-case="${name}"]`)!)
  try {
    await cdp().send('Emulation.setEmulatedMedia', {
      features: [{ name: 'prefers-color-scheme', value: 'light' }],
    })
    meta.content = 'dark'
    expect([fill('page'), fill('light class')]).toEqual([DARK_FILL, LIGHT_FILL])
    await cdp().send('Emulation.setEmulatedMedia', {
      features: [{ name: 'prefers-color-scheme', value: 'dark' }],
    })
    meta.content = 'light'
    expect([fill('page'), fill('light class')]).toEqual([LIGHT_FILL, LIGHT_FILL])
    // Both schemes offered: the system picks.
    meta.content = 'light dark'
    expect(fill('page')).toBe(DARK_FILL)
  } finally {
    meta.remove()
    await cdp().send('Emulation.setEmulatedMedia', { features: [] })
    await unmount()
  }
})

/** WCAG 2 relative luminance of an `rgb(…)`/`rgba(…)` computed colour. */
function luminance(color: string): number {
  const [r, g, b] = color
    .match(/[\d.]+/g)!
    .slice(0, 3)
    .map((c) => {
      const v = Number(c) / 255
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
    }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

// WCAG 1.4.11: the parts of a graphic needed to read it get 3:1 against what is next to them.
test.each(['light', 'dark'] as const)(
  'in the %s scheme the track stands out from the surface and the estimate stripes from the track (3:1)',
  async (scheme) => {
    const { host, unmount } = await mountStarted(
      <div data-theme={scheme}>
        <RunProgress runId="r1" />
      </div>,
    )
    const style = (selector: string) => getComputedStyle(host.querySelector(selector)!)
    const surface = style('.lp-run').backgroundColor
    const track = style('.lp-bar__track')
    const stripes = style('.lp-bar__estimate').backgroundImage
    const stripe = stripes.match(/rgba?\([^)]*\)/)![0]
    // The gaps between the stripes are the track itself.
    expect(stripes).toContain('rgba(0, 0, 0, 0)')
    const measured = {
      edgeOnSurface: contrast(track.borderTopColor, surface),
      stripesOnTrack: contrast(stripe, track.backgroundColor),
      fillOnTrack: contrast(style('.lp-bar__fill').backgroundColor, track.backgroundColor),
    }
    expect(Number.parseFloat(track.borderTopWidth)).toBeGreaterThanOrEqual(1)
    for (const [what, ratio] of Object.entries(measured)) expect(ratio, what).toBeGreaterThanOrEqual(3)
    await unmount()
  },
)
