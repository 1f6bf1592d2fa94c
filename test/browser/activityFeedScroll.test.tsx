import { act } from 'react'
import { userEvent } from 'vitest/browser'
import { ActivityFeed } from '../../src/react/index'
import '../../src/react/styles.css'
import { createRunLog, createTestStore, PLAN } from '../react/frames'
import { mountInPage } from './mountInPage'

/**
 * Resolves once `check` holds, polling each animation frame (ResizeObserver reports before a paint), for at least
 * 60 frames and 3 s: keyboard scrolling is animated, and a loaded machine gives fewer frames per second.
 */
async function until(check: () => boolean, what: string) {
  const deadline = performance.now() + 3000
  for (let i = 0; i < 60 || performance.now() < deadline; i++) {
    if (check()) return
    await new Promise((resolve) => requestAnimationFrame(resolve))
  }
  throw new Error(`never: ${what}`)
}

// Real layout: the list is a tab stop exactly while it scrolls, also when only its box changes size.
test('the activity list becomes a tab stop when its box shrinks below its rows, and stops being one when it grows', async () => {
  const source = createTestStore()
  const log = createRunLog()
  const { host, unmount } = await mountInPage(source, <ActivityFeed runId="r1" />)
  // Mounted with no activity: no list yet.
  expect(host.querySelector('ol')).toBeNull()
  await act(async () => {
    source.feed(log.next('run_started', { plan: PLAN }))
    for (const agent of ['A', 'B', 'C']) source.feed(log.next('agent_started', { agent }))
  })
  const list = host.querySelector<HTMLOListElement>('ol')!
  expect(list.scrollHeight).toBe(list.clientHeight)
  expect(list.hasAttribute('tabindex')).toBe(false)

  host.style.setProperty('--lp-feed-height', '1.5rem')
  await until(() => list.scrollHeight > list.clientHeight, 'the list overflows its smaller box')
  await until(() => list.tabIndex === 0, 'the list takes focus once it scrolls')
  expect(list.hasAttribute('data-scrollable')).toBe(true)

  host.style.removeProperty('--lp-feed-height')
  await until(() => !list.hasAttribute('tabindex'), 'the list gives up focus once it fits again')

  await unmount()
  source.destroy()
})

// Real keyboard: the last "Show N earlier" unmounts itself; its focus lands on the list, not on <body>.
test('pressing Enter on the last "Show N earlier" leaves keyboard focus on the list', async () => {
  const source = createTestStore()
  const log = createRunLog()
  const { host, unmount } = await mountInPage(source, <ActivityFeed runId="r1" max={2} />)
  // Thinking lines: an agent still running is never behind the button (it stays in sight past `max`).
  await act(async () => {
    source.feed(log.next('run_started', { plan: PLAN }))
    for (const step of [1, 2, 3])
      source.feed(log.next('agent_thinking', { agent: 'A', text: `step ${step}` }))
  })
  const button = host.querySelector('button')!
  button.focus()
  await userEvent.keyboard('{Enter}')
  const list = host.querySelector<HTMLOListElement>('ol')!
  await until(() => host.querySelector('button') === null, 'everything is revealed')
  expect(list.querySelectorAll('li')).toHaveLength(3)
  expect(document.activeElement).toBe(list)
  await userEvent.tab()
  await until(() => !list.hasAttribute('tabindex'), 'the list stops being focusable once focus moves on')

  await unmount()
  source.destroy()
})

// Real scrolling, by keyboard as a reader would: the newest entry stays in view until the reader scrolls up.
test('the feed follows the newest entry, stays put while the reader looks back, and follows again at the end', async () => {
  const source = createTestStore()
  const log = createRunLog()
  const { host, unmount } = await mountInPage(
    source,
    <ActivityFeed runId="r1" style={{ '--lp-feed-height': '4rem' } as never} />,
  )
  let step = 0
  const think = (count: number) =>
    act(async () => {
      for (let i = 0; i < count; i++)
        source.feed(log.next('agent_thinking', { agent: 'A', text: `step ${++step}` }))
    })
  await act(async () => source.feed(log.next('run_started', { plan: PLAN })))
  await think(12)
  const list = host.querySelector<HTMLOListElement>('ol')!
  const atEnd = () => list.scrollHeight - list.scrollTop - list.clientHeight <= 1
  const newestVisible = () => {
    const newest = list.lastElementChild!.getBoundingClientRect()
    return newest.bottom <= list.getBoundingClientRect().bottom + 1
  }
  expect(list.scrollHeight).toBeGreaterThan(list.clientHeight * 2)
  expect(atEnd()).toBe(true)
  await think(3)
  expect(atEnd() && newestVisible()).toBe(true)

  // The reader goes back to the start: new entries leave them there.
  list.focus()
  await userEvent.keyboard('{Home}')
  await until(() => list.scrollTop === 0, 'the reader is at the oldest entry')
  await think(3)
  expect(list.scrollTop).toBe(0)
  expect(newestVisible()).toBe(false)

  // Back at the end (dragged there: headless Chromium drops a keyboard End now and then under load), the feed
  // follows again.
  expect(document.activeElement, 'focus stays on the list while entries arrive').toBe(list)
  const scrolled = new Promise((resolve) => list.addEventListener('scroll', resolve, { once: true }))
  list.scrollTop = list.scrollHeight
  await scrolled
  await until(atEnd, 'the reader is back at the newest entry')
  await think(3)
  expect(atEnd() && newestVisible()).toBe(true)
  expect(list.lastElementChild!.textContent).toBe(`A: step ${step}`)

  await unmount()
  source.destroy()
})
