import { type RefObject, useRef, useState } from 'react'
import { useIsomorphicLayoutEffect } from './useIsomorphicLayoutEffect'

/**
 * Whether the element scrolls (its content is taller than its capped height). Checked after every commit that
 * changed `rows` and whenever the element is resized (ResizeObserver where there is one); no DOM, no scrolling.
 * @example
 * const scrolls = useOverflows(listRef, rows.length)
 */
export function useOverflows(ref: RefObject<HTMLElement | null>, rows: number): boolean {
  const [overflows, setOverflows] = useState(false)
  // setState only on a change: even an equal value can cost a render (and a commit) after every flush.
  const known = useRef(false)
  const measure = useRef(() => {
    const element = ref.current
    const next = element !== null && element.scrollHeight > element.clientHeight
    if (next === known.current) return
    known.current = next
    setOverflows(next)
  }).current
  // biome-ignore lint/correctness/useExhaustiveDependencies: `rows` is the trigger; the height is read from the DOM.
  useIsomorphicLayoutEffect(measure, [measure, rows])
  // Attached once the list exists: a feed mounts empty (no list) until the first agent or tool event.
  const mounted = rows > 0
  // biome-ignore lint/correctness/useExhaustiveDependencies: `mounted` is the trigger; the element is read from the ref.
  useIsomorphicLayoutEffect(() => {
    const element = ref.current
    if (!element || typeof ResizeObserver === 'undefined') return
    const observer = new ResizeObserver(measure)
    observer.observe(element)
    return () => observer.disconnect()
  }, [ref, measure, mounted])
  return overflows
}
