/** The one-line bars of the storm: imported only after bench/dom.ts installed a DOM (react-dom checks at import). */
import { createElement as h } from 'react'
import { useStore } from 'zustand'
import type { StoreApi } from 'zustand/vanilla'
import { useRun } from '../src/react/useRun'

export type Last = { seq?: number; done?: number; total?: number; type?: string }

/** The naive baseline's bar: whatever the last frame said. */
export function NaiveBar({ store }: { store: StoreApi<{ last: Last }> }) {
  const last = useStore(store, (s) => s.last)
  const percent = last.total ? Math.round(((last.done ?? 0) / last.total) * 100) : 0
  return h('div', { role: 'progressbar', 'aria-valuenow': percent, 'data-seq': last.seq }, `${percent}%`)
}

/** The same bar fed by the kit's store through a useRun selector: isolates what batching buys. */
export function KitBar({ runId }: { runId: string }) {
  const percent = useRun(runId, (view) => Math.round(view.displayed * 100)) ?? 0
  return h('div', { role: 'progressbar', 'aria-valuenow': percent }, `${percent}%`)
}
