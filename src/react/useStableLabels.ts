import { useRef } from 'react'
import type { LabelsOverride } from './labels'
import { labelsEqual } from './mergeLabels'

/**
 * The first of a run of equal overrides (by `labelsEqual`): inline label objects keep one identity while they
 * say the same thing. The ref is only ever set to a value derived from the props, so a discarded render is harmless.
 * @example
 * const labels = useStableLabels(props.labels)
 */
export function useStableLabels(labels: LabelsOverride | undefined): LabelsOverride | undefined {
  const kept = useRef(labels)
  if (!labelsEqual(kept.current, labels)) kept.current = labels
  return kept.current
}
