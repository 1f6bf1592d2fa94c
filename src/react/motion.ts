import { startWaapiAnimation } from 'framer-motion/dom'

// A critically damped spring from rest, x(t) = 1 − (1 + ωt)·e^(−ωt), scaled to end exactly at 1: it eases out
// without overshoot, so a fill never passes its target. framer-motion samples it into a CSS linear() easing.
const OMEGA = 7
const END = 1 - (1 + OMEGA) * Math.exp(-OMEGA)
const springEase = (t: number) => (1 - (1 + OMEGA * t) * Math.exp(-OMEGA * t)) / END

/** A running animation, as far as the bar needs one. */
export interface Playing {
  /** Freezes the element where the animation has it now. */
  stop(): void
}

/**
 * Springs `element`'s transform to `transform` in 0.5 s with framer-motion's Web Animations API start (its
 * smallest part): the compositor runs it, so the bar keeps moving while the main thread is busy. It starts from
 * the element's own transform (stop the previous animation first), and ends by writing `transform` to it.
 */
export function springTo(element: HTMLElement, transform: string): Playing {
  const animation = startWaapiAnimation(element, 'transform', [transform], {
    duration: 500,
    ease: springEase,
  })
  // The end is written to the element and the animation dropped, so nothing stays pinned by fill: both.
  animation.onfinish = () => {
    element.style.transform = transform
    animation.cancel()
  }
  return {
    stop() {
      animation.onfinish = null
      // An idle animation (finished, or never started) has nothing to freeze: committing it would rewrite the end.
      if (animation.playState === 'idle') return
      if (element.isConnected) animation.commitStyles()
      animation.cancel()
    },
  }
}
