import { useSyncExternalStore } from 'react'
import type { NaiveProgress } from './naiveProgress'
import './NaiveBar.css'

/** The bar a naive client would draw from the same frames: last message wins. */
export function NaiveBar({ naive, runId }: { naive: NaiveProgress; runId: string }) {
  const run = useSyncExternalStore(naive.subscribe, () => naive.get(runId))
  const percent = Math.round((run?.value ?? 0) * 100)
  return (
    <div className="demo-naive">
      <div className="demo-naive__head">
        <span>Naive: last message wins</span>
        <span>{percent}%</span>
      </div>
      <div
        className="demo-naive__bar"
        role="meter"
        aria-label="Naive progress (last message wins)"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        data-testid="naive-bar"
      >
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className="demo-naive__note" data-backward={run?.backward ?? 0}>
        {run?.backward ? `went backward ${run.backward}×` : 'no backward step yet'}
      </p>
    </div>
  )
}
