'use client'

export { ActivityFeed, type ActivityFeedProps } from './ActivityFeed'
export { AgentCount, type AgentCountProps } from './AgentCount'
export { type BarMotion, barTransform } from './barMotion'
export { ConfidenceBadge, type ConfidenceBadgeProps } from './ConfidenceBadge'
export { createFormat, type ProgressFormat } from './format'
export { InitialRunState, type InitialRunStateProps } from './InitialRunState'
export {
  DEFAULT_LABELS,
  type Formatted,
  type LabelsOverride,
  type ProgressLabels,
  type ValueTextParts,
} from './labels'
export { mergeLabels } from './mergeLabels'
export { PhaseSteps, type PhaseStepsProps } from './PhaseSteps'
export { ProgressBar, type ProgressBarProps, type RunBarProps } from './ProgressBar'
export { ProgressIndicator, type ProgressIndicatorProps } from './ProgressIndicator'
export { ProgressProvider, type ProgressProviderProps, useProgressClient } from './ProgressProvider'
export { ProgressRoot, type ProgressRootProps, useProgressMeter } from './ProgressRoot'
export type { ProgressSource } from './ProgressSource'
export { ProgressValue, type ProgressValueProps } from './ProgressValue'
export { QueueNotice, type QueueNoticeProps } from './QueueNotice'
export { RunProgress, type RunProgressProps } from './RunProgress'
export type { RunSnapshot } from './runSnapshot'
export { shallowEqual } from './shallowEqual'
export { useBarMotion } from './useBarMotion'
export { type ConnectionInfo, useConnection } from './useConnection'
export { type DisplayedProgress, useDisplayedProgress } from './useDisplayedProgress'
export { useLabels } from './useLabels'
export { usePrefersReducedMotion } from './usePrefersReducedMotion'
export { type UseRunOptions, useRun } from './useRun'
export type { RunCallbacks } from './useRunCallbacks'
export type { ValueBarProps } from './ValueBar'
