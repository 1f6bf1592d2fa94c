// @vitest-environment jsdom
import { render, screen } from '@testing-library/react'
import { createElement, createRef, type ForwardRefExoticComponent, type RefAttributes } from 'react'
import {
  ActivityFeed,
  ConfidenceBadge,
  PhaseSteps,
  ProgressBar,
  ProgressProvider,
  QueueNotice,
  RunProgress,
} from '../../src/react/index'
import { createRunLog, createTestStore, PLAN } from './frames'

type Part = ForwardRefExoticComponent<{ runId: string; className?: string } & RefAttributes<HTMLElement>>

const parts = [
  ['ProgressBar', ProgressBar, 'lp-bar'],
  ['PhaseSteps', PhaseSteps, 'lp-steps'],
  ['ConfidenceBadge', ConfidenceBadge, 'lp-badge'],
  ['ActivityFeed', ActivityFeed, 'lp-feed'],
  ['QueueNotice', QueueNotice, 'lp-queue'],
  ['RunProgress', RunProgress, 'lp-run'],
] as unknown as [string, Part, string][]

describe.each(parts)('%s', (_name, Part, base) => {
  test('forwards its ref, merges className, spreads unknown props and exposes data-state', () => {
    const source = createTestStore()
    const log = createRunLog()
    source.feed(
      log.next('run_started', { plan: PLAN }),
      log.next('agent_started', { agent: 'A' }),
      log.next('queued', { position: 1 }),
    )
    const ref = createRef<HTMLElement>()
    render(
      <ProgressProvider client={source}>
        {createElement(Part, {
          runId: 'r1',
          ref,
          className: 'custom',
          'data-testid': 'part',
          title: 'hint',
        } as never)}
      </ProgressProvider>,
    )
    const element = screen.getByTestId('part')
    expect(ref.current).toBe(element)
    expect(element.className).toBe(`${base} custom`)
    expect(element.getAttribute('title')).toBe('hint')
    expect(element.hasAttribute('data-state')).toBe(true)
  })
})
