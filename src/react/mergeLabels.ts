import type { LabelsOverride, ProgressLabels } from './labels'
import { DEFAULT_LABELS } from './labels'
import { shallowEqual } from './shallowEqual'

/**
 * Later layers win; `runStatus`, `phaseStatus` and `confidence` merge key by key.
 * @example
 * mergeLabels({ progress: 'Avance' }, { runStatus: { failed: 'Échec' } }).runStatus.completed // 'Completed'
 */
export function mergeLabels(...layers: (LabelsOverride | undefined)[]): ProgressLabels {
  let out = DEFAULT_LABELS
  for (const layer of layers) {
    if (!layer) continue
    out = {
      ...out,
      ...layer,
      runStatus: { ...out.runStatus, ...layer.runStatus },
      phaseStatus: { ...out.phaseStatus, ...layer.phaseStatus },
      confidence: { ...out.confidence, ...layer.confidence },
    }
  }
  return out
}

/**
 * Whether two overrides say the same thing, one level into the grouped records: an inline `labels={{…}}`
 * object is new on every render, and must not make every label consumer rebuild its text. Functions compare by
 * identity: define function labels (`count`, `valueText`, …) outside the component, or memoize them.
 * @example
 * labelsEqual({ progress: 'Avance' }, { progress: 'Avance' }) // true
 */
export function labelsEqual(a: LabelsOverride | undefined, b: LabelsOverride | undefined): boolean {
  if (a === b) return true
  if (!a || !b) return false
  const keys = Object.keys(a) as (keyof LabelsOverride)[]
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => {
      const x = a[key]
      const y = b[key]
      return Object.is(x, y) || (typeof x === 'object' && typeof y === 'object' && shallowEqual(x, y))
    })
  )
}
