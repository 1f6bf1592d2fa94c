import type { Meta, StoryObj } from '@storybook/react-vite'
import { useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { ProgressBar, ProgressIndicator, ProgressRoot } from '../src/react/index'

/** An upload of 8 files with no run and no provider: a plain value, stepped by a button. */
function Upload({ reducedMotion }: { reducedMotion: boolean }) {
  const [files, setFiles] = useState(3)
  return (
    <div style={{ display: 'grid', gap: 12, maxWidth: 420, padding: 16, font: '14px system-ui' }}>
      <ProgressBar value={files} max={8} aria-label="Upload" reducedMotion={reducedMotion} />
      {/* The same value drawn with the parts, styled by the page. */}
      <ProgressRoot value={files} max={8} aria-label="Upload, own look" style={{ display: 'block' }}>
        <div
          style={{
            position: 'relative',
            height: 6,
            overflow: 'hidden',
            background: '#d0d7de',
            borderRadius: 3,
          }}
        >
          <ProgressIndicator
            reducedMotion={reducedMotion}
            style={{ position: 'absolute', inset: 0, background: '#1a7f37' }}
          />
        </div>
      </ProgressRoot>
      <button
        type="button"
        onClick={() => setFiles((n) => Math.min(n + 1, 8))}
        style={{ justifySelf: 'start' }}
      >
        One more file
      </button>
    </div>
  )
}

const meta = {
  title: 'Components/ProgressBar without a run',
  component: Upload,
  args: { reducedMotion: true },
} satisfies Meta<typeof Upload>
export default meta
type Story = StoryObj<typeof meta>

export const ValueOfMax: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    const bars = [
      canvas.getByRole('progressbar', { name: 'Upload' }),
      canvas.getByRole('progressbar', { name: 'Upload, own look' }),
    ]
    for (const bar of bars) {
      await expect(bar).toHaveAttribute('aria-valuenow', '3')
      await expect(bar).toHaveAttribute('aria-valuemax', '8')
      await expect(bar).toHaveAttribute('data-state', 'loading')
    }
    for (let i = 0; i < 5; i++) await userEvent.click(canvas.getByRole('button', { name: 'One more file' }))
    for (const bar of bars) {
      await expect(bar).toHaveAttribute('aria-valuenow', '8')
      await expect(bar).toHaveAttribute('data-state', 'complete')
      await expect(bar).toHaveAttribute('aria-valuetext', '100%')
    }
    // The drawn part spans the whole track.
    const fill = bars[0]!.querySelector<HTMLElement>('.lp-bar__fill')!
    await waitFor(() => expect(fill.style.transform).toBe('translateX(0%)'))
  },
}
