import { type RefObject, useRef } from 'react'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'

// Within this many pixels of the end counts as at the end (fractional scroll positions on zoomed pages).
const SLACK = 4

/**
 * Keeps a scrolling element at its end when `newest` changes (a row appended), as long as the reader left it
 * there: scrolled up, it stays where the reader put it until they scroll back down. Starts at the end.
 * @example
 * useStickToEnd(listRef, rows.at(-1)?.id)
 */
export function useStickToEnd(ref: RefObject<HTMLElement | null>, newest: unknown): void {
  const stuck = useRef(true)
  const mounted = newest !== undefined
  // Attached once the element exists (a feed mounts empty, without its list).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `mounted` is the trigger; the element is read from the ref.
  useIsomorphicLayoutEffect(() => {
    const element = ref.current
    if (!element) return
    const read = () => {
      stuck.current = element.scrollHeight - element.scrollTop - element.clientHeight <= SLACK
    }
    element.addEventListener('scroll', read, { passive: true })
    return () => element.removeEventListener('scroll', read)
  }, [ref, mounted])
  // biome-ignore lint/correctness/useExhaustiveDependencies: `newest` is the trigger; the position is read from the DOM.
  useIsomorphicLayoutEffect(() => {
    const element = ref.current
    if (element && stuck.current) element.scrollTop = element.scrollHeight
  }, [ref, newest])
}
