import { JSDOM } from 'jsdom'

/**
 * Installs a jsdom window as the global DOM (60 Hz requestAnimationFrame included). Must run before
 * react-dom is imported: it decides at import time whether a DOM exists.
 */
export function installDom(): JSDOM {
  const dom = new JSDOM('<!doctype html><html><body><div id="root"></div></body></html>', {
    pretendToBeVisual: true,
  })
  const g = globalThis as Record<string, unknown>
  const win = dom.window as unknown as Record<string, unknown>
  for (const key of [
    'window',
    'document',
    'navigator',
    'HTMLElement',
    'Node',
    'Element',
    'getComputedStyle',
  ]) {
    if (key === 'navigator') Object.defineProperty(g, key, { value: win[key], configurable: true })
    else g[key] = key === 'window' ? win : win[key]
  }
  g.requestAnimationFrame = (fn: FrameRequestCallback) => dom.window.requestAnimationFrame(fn)
  g.cancelAnimationFrame = (handle: number) => dom.window.cancelAnimationFrame(handle)
  g.IS_REACT_ACT_ENVIRONMENT = false
  return dom
}
