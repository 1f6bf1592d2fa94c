import { type ComponentPropsWithoutRef, forwardRef } from 'react'
import type { RunView } from '../core/RunView'
import type { LabelsOverride } from './labels'
import { isWaitingAgain, queueText } from './queueText'
import { cx, shallowEqual } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'

export interface QueueNoticeProps extends Omit<ComponentPropsWithoutRef<'p'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
}

const pick = (run: RunView) => ({
  status: run.status,
  queuePosition: run.queuePosition,
  queueEtaMs: run.queueEtaMs,
  again: isWaitingAgain(run),
})

/**
 * "Waiting: 3 runs ahead" while the run is queued before it started, "Waiting for a free agent slot: 2 ahead" when
 * it waits again in its middle, with the producer's estimate of the wait when it gave one (a polite
 * `role="status"`); renders nothing otherwise. `data-state="queued"`, `data-position` = runs ahead, `data-again`
 * when the run waits in its middle.
 * @example
 * <QueueNotice runId="r1" labels={{ queued: (n, text) => `${text} ahead of you` }} />
 */
export const QueueNotice = forwardRef<HTMLParagraphElement, QueueNoticeProps>(function QueueNotice(
  { runId, labels: override, locale, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const queue = useRun(runId, pick, shallowEqual)
  if (queue?.status !== 'queued') return null
  return (
    <p
      role="status"
      data-state="queued"
      data-position={queue.queuePosition ?? 0}
      data-again={queue.again ? '' : undefined}
      ref={ref}
      className={cx('lp-queue', className)}
      {...rest}
    >
      {queueText(queue, queue.again, labels, format)}
    </p>
  )
})
