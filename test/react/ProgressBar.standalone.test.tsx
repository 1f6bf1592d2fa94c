// @vitest-environment jsdom
import { render, screen } from '@testing-library/react'
import { renderToString } from 'react-dom/server'
import { ProgressBar, ProgressIndicator, ProgressRoot } from '../../src/react/index'

/** The percent a segment shows: full-width segments slide in by `translateX(percent − 100 %)`. */
const drawn = (segment: Element) =>
  100 + Number.parseFloat(/translateX\((-?[\d.e-]+)%\)/.exec((segment as HTMLElement).style.transform)![1]!)

describe('ProgressBar without a run', () => {
  test('needs no provider: value of max, Radix-style attributes, the percent read out', () => {
    const error = vi.spyOn(console, 'error')
    const { rerender } = render(<ProgressBar value={3} max={8} />)
    const bar = screen.getByRole('progressbar', { name: 'Progress' })
    expect(error).not.toHaveBeenCalled()
    expect(bar.className).toBe('lp-bar')
    expect(bar.getAttribute('aria-valuenow')).toBe('3')
    expect(bar.getAttribute('aria-valuemin')).toBe('0')
    expect(bar.getAttribute('aria-valuemax')).toBe('8')
    expect(bar.getAttribute('aria-valuetext')).toBe('38%')
    expect(bar.dataset).toMatchObject({ state: 'loading', value: '3', max: '8' })
    const fill = bar.querySelector('.lp-bar__fill')!
    expect(fill.getAttribute('data-state')).toBe('loading')
    expect(drawn(fill)).toBeCloseTo(37.5, 5)
    rerender(<ProgressBar value={8} max={8} />)
    expect(bar.dataset.state).toBe('complete')
    expect(drawn(fill)).toBe(100)
    error.mockRestore()
  })

  test('null is indeterminate: no aria-valuenow, no data-value, the indeterminate look', () => {
    render(<ProgressBar value={null} aria-label="Upload" />)
    const bar = screen.getByRole('progressbar', { name: 'Upload' })
    expect(bar.hasAttribute('aria-valuenow')).toBe(false)
    expect(bar.hasAttribute('data-value')).toBe(false)
    expect(bar.dataset.state).toBe('indeterminate')
    expect(bar.getAttribute('aria-valuetext')).toBe('Preparing…')
    expect(bar.querySelector('.lp-bar__indeterminate')).not.toBeNull()
  })

  test('out-of-range and invalid values are made safe, never drawn past the track', () => {
    const cases: [number | null, number | undefined, string | null, string][] = [
      [150, 100, '100', 'complete'],
      [-5, 100, '0', 'loading'],
      [Number.NaN, 100, null, 'indeterminate'],
      [5, 0, '5', 'loading'], // an invalid max falls back to 100
    ]
    for (const [value, max, now, state] of cases) {
      const { unmount } = render(<ProgressBar value={value} max={max} />)
      const bar = screen.getByRole('progressbar')
      expect([bar.getAttribute('aria-valuenow'), bar.dataset.state], `${value} of ${max}`).toEqual([
        now,
        state,
      ])
      const fill = bar.querySelector('.lp-bar__fill')
      if (fill) expect(drawn(fill)).toBeLessThanOrEqual(100)
      unmount()
    }
  })

  test('parts: a root and an indicator of your own, refs forwarded, value text and locale', () => {
    const root = { current: null as HTMLDivElement | null }
    const indicator = { current: null as HTMLSpanElement | null }
    render(
      <ProgressRoot value={0.25} max={1} locale="de-DE" ref={root} className="upload" aria-label="Hochladen">
        <div className="track">
          <ProgressIndicator ref={indicator} className="upload__fill" reducedMotion />
        </div>
      </ProgressRoot>,
    )
    const bar = screen.getByRole('progressbar', { name: 'Hochladen' })
    expect(root.current).toBe(bar)
    expect(bar.getAttribute('aria-valuetext')).toMatch(/^25\s%$/)
    expect(indicator.current?.className).toBe('upload__fill')
    expect(indicator.current?.dataset).toMatchObject({ state: 'loading', value: '0.25', max: '1' })
    expect(drawn(indicator.current!)).toBe(25)
  })

  test('renders on the server where it stands', () => {
    const html = renderToString(<ProgressBar value={40} />)
    expect(html).toContain('aria-valuenow="40"')
    expect(html).toMatch(/<span [^>]*style="transform:translateX\(-60%\)"[^>]*class="lp-bar__fill"/)
  })
})
