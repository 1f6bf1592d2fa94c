import type { RunView } from '../core/RunView'
import type { ProgressFormat } from './format'
import type { ProgressLabels } from './labels'

/** The run waits again in its middle (PROTOCOL v1.1 decision 9): `queued` after a phase began. */
export const isWaitingAgain = (run: Pick<RunView, 'status' | 'phases'>): boolean =>
  run.status === 'queued' && run.phases.some((phase) => phase.status !== 'pending')

/**
 * What a queued run says about its wait: "Waiting: 2 runs ahead" before it started, "Waiting for a free agent slot:
 * 2 ahead" when it waits `again` in its middle, with the producer's estimate when it gave one.
 * @example
 * queueText(run, isWaitingAgain(run), labels, format) // "Waiting for a free agent slot: 2 ahead · about 30 sec left"
 */
export function queueText(
  run: Pick<RunView, 'queuePosition' | 'queueEtaMs'>,
  again: boolean,
  labels: ProgressLabels,
  format: ProgressFormat,
): string {
  const ahead = run.queuePosition ?? 0
  const text = (again ? labels.waitingAgain : labels.queued)(ahead, format.number(ahead))
  return run.queueEtaMs === undefined ? text : `${text} · ${labels.eta(format.duration(run.queueEtaMs))}`
}
