// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { ProgressProvider, RunProgress } from '../../src/react/index'
import { createTestStore } from './frames'
import { serverSnapshot } from './serverRun'

describe('initialState on the server', () => {
  test('the first HTML shows the run as the server knows it, not "Waiting for updates…"', async () => {
    const snapshot = await serverSnapshot()
    // The store knows nothing yet (nothing is followed on the server): only the snapshot speaks.
    const source = createTestStore()
    const html = renderToString(
      <ProgressProvider client={source}>
        <RunProgress runId="r1" initialState={snapshot} />
      </ProgressProvider>,
    )
    // Plan (1 of 5 weight) done, Search (3) at 12 of 40: (1 + 3 × 0.3) / 5 = 38%.
    expect(html).toContain('Report')
    expect(html).toContain('aria-valuenow="38"')
    expect(html).toContain('Search: 12 of 40')
    expect(html).toContain('data-state="running"')
    expect(html).not.toContain('Waiting for updates')
    // Honest about where it stands: the page shows the server's state and catches up once connected.
    expect(html).toContain('Catching up')
    expect(html).toMatch(
      /style="transform:translateX\(-62%\)"[^>]*class="lp-bar__fill"|class="lp-bar__fill"[^>]*style="transform:translateX\(-62%\)"/,
    )
    expect(source.store.getState().runs).toEqual({})
    source.destroy()
  })

  test('an invalid snapshot changes nothing: the run renders as pending, and the console says why', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const source = createTestStore()
    const html = renderToString(
      <ProgressProvider client={source}>
        <RunProgress runId="r1" initialState={{ epoch: 'e1', seq: -1, state: { status: 'nope' } } as never} />
      </ProgressProvider>,
    )
    expect(html).toContain('data-state="pending"')
    expect(html).toContain('Waiting for updates')
    expect(error).toHaveBeenCalledWith(
      'live-progress: initialState of run "r1" is not a valid snapshot:',
      expect.objectContaining({ kind: 'decode' }),
    )
    error.mockRestore()
    source.destroy()
  })
})
