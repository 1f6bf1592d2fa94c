import { useContext, useMemo } from 'react'
import { createFormat, type ProgressFormat } from './format'
import type { LabelsOverride, ProgressLabels } from './labels'
import { mergeLabels } from './mergeLabels'
import { ProgressContext } from './ProgressProvider'
import { useStableLabels } from './useStableLabels'

/**
 * Labels and formatters for a component: English defaults, then the provider's, then the component's own.
 * @example
 * const { labels, format } = useLabels(props.labels, props.locale)
 */
export function useLabels(
  labels?: LabelsOverride,
  locale?: string,
): { labels: ProgressLabels; format: ProgressFormat } {
  const context = useContext(ProgressContext)
  const own = useStableLabels(labels)
  const merged = useMemo(() => mergeLabels(context.labels, own), [context.labels, own])
  return { labels: merged, format: createFormat(locale ?? context.locale) }
}
