'use client'

export { ActivityFeed, type ActivityFeedProps } from './ActivityFeed'
export { AgentCount, type AgentCountProps } from './AgentCount'
export { type BarMotion, barTransform } from './barMotion'
export { ConfidenceBadge, type ConfidenceBadgeProps } from './ConfidenceBadge'
export { createFormat, type ProgressFormat } from './format'
export {
  DEFAULT_LABELS,
  type Formatted,
  type LabelsOverride,
  type ProgressLabels,
  type ValueTextParts,
} from './labels'
export { mergeLabels } from './mergeLabels'
export { PhaseSteps, type PhaseStepsProps } from './PhaseSteps'
export { ProgressBar, type ProgressBarProps } from './ProgressBar'
export { ProgressProvider, type ProgressProviderProps, useProgressClient } from './ProgressProvider'
export type { ProgressSource } from './ProgressSource'
export { ProgressValue, type ProgressValueProps } from './ProgressValue'
export { QueueNotice, type QueueNoticeProps } from './QueueNotice'
export { RunProgress, type RunProgressProps } from './RunProgress'
export { shallowEqual } from './shallowEqual'
export { useBarMotion } from './useBarMotion'
export { type ConnectionInfo, useConnection } from './useConnection'
export { type DisplayedProgress, useDisplayedProgress } from './useDisplayedProgress'
export { useLabels } from './useLabels'
export { usePrefersReducedMotion } from './usePrefersReducedMotion'
export { useRun } from './useRun'
