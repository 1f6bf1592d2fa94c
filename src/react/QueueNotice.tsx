import { type ComponentPropsWithoutRef, forwardRef } from 'react'
import type { LabelsOverride } from './labels'
import { cx } from './shallowEqual'
import { useLabels } from './useLabels'
import { useRun } from './useRun'

export interface QueueNoticeProps extends Omit<ComponentPropsWithoutRef<'p'>, 'children'> {
  runId: string
  labels?: LabelsOverride
  locale?: string
}

/**
 * "Waiting: 3 runs ahead" while the run is queued (a polite `role="status"`); renders nothing otherwise.
 * `data-state="queued"`, `data-position` = runs ahead.
 * @example
 * <QueueNotice runId="r1" labels={{ queued: (n, text) => `${text} ahead of you` }} />
 */
export const QueueNotice = forwardRef<HTMLParagraphElement, QueueNoticeProps>(function QueueNotice(
  { runId, labels: override, locale, className, ...rest },
  ref,
) {
  const { labels, format } = useLabels(override, locale)
  const ahead = useRun(runId, (run) => (run.status === 'queued' ? (run.queuePosition ?? 0) : -1))
  if (ahead === undefined || ahead < 0) return null
  return (
    <p
      role="status"
      data-state="queued"
      data-position={ahead}
      ref={ref}
      className={cx('lp-queue', className)}
      {...rest}
    >
      {labels.queued(ahead, format.number(ahead))}
    </p>
  )
})
