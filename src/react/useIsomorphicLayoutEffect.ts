import { useEffect, useLayoutEffect } from 'react'

/**
 * `useLayoutEffect` in the browser, `useEffect` on the server, where neither runs: React 18 warns for every
 * `useLayoutEffect` rendered to a string, and a component that measures the DOM has nothing to measure there.
 * @example
 * useIsomorphicLayoutEffect(() => measure(ref.current), [rows])
 */
export const useIsomorphicLayoutEffect = typeof document !== 'undefined' ? useLayoutEffect : useEffect
