export { isCriticalEntry, isOpenEntry, trimActivity } from './activityEntries'
export {
  type ApplyResult,
  applyEvent,
  createRunState,
  DEFAULT_LIMITS,
  isPhaseFinished,
  isTerminal,
  type ReducerLimits,
  type RejectReason,
} from './applyEvent'
export {
  CONFIDENCE_DEFAULTS,
  type Confidence,
  type ConfidenceInput,
  type ConfidenceOptions,
  type ConfidenceReading,
  type ConfidenceReason,
  type ConfidenceTracker,
  createConfidenceTracker,
  heartbeatTimeout,
  type ObservedConfidenceInput,
  readConfidence,
  resyncGrace,
} from './confidence'
export { createEtaEstimator, ETA_DEFAULTS, type EtaEstimator, type EtaOptions } from './eta'
export { SILENCE_DEFAULTS, stallThreshold } from './producerSilence'
export {
  estimatedFraction,
  isEstimatedPhase,
  nextDisplayed,
  PROGRESS_DEFAULTS,
  type ProgressOptions,
  type ProgressReading,
  phaseFraction,
  readProgress,
  trueProgress,
} from './progress'
export type { RunStats, RunView } from './RunView'
export {
  createSequencer,
  SEQUENCER_DEFAULTS,
  type Sequencer,
  type SequencerAction,
  type SequencerOptions,
  type SequencerResult,
  type SequencerStats,
  type SequencerStatus,
} from './sequencer'
export { type TaskCounts, taskCounts } from './taskCounts'
