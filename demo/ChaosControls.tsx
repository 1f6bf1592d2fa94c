import { useState } from 'react'
import { api, type DemoState } from './api'

const KILL_CHOICES = [0, 5_000, 10_000, 15_000, 30_000]
const RESTART_CHOICES = [0, 15_000, 30_000, 60_000]
const label = (ms: number) => (ms === 0 ? 'never' : `every ${ms / 1000} s`)

/** The server's chaos knobs: they apply to every connection at once. */
export function ChaosControls({ state, onChange }: { state: DemoState | null; onChange: () => void }) {
  const [busy, setBusy] = useState(false)
  const chaos = state?.chaos
  const act = (work: () => Promise<unknown>) => {
    setBusy(true)
    work()
      .catch(() => {})
      .finally(() => {
        setBusy(false)
        onChange()
      })
  }
  const rate = (key: 'reorder' | 'duplicate' | 'drop', text: string) => (
    <label className="demo-field">
      <span>
        {text} <output>{Math.round((chaos?.[key] ?? 0) * 100)}%</output>
      </span>
      <input
        type="range"
        min={0}
        max={0.5}
        step={0.01}
        value={chaos?.[key] ?? 0}
        disabled={!chaos}
        onChange={(event) => act(() => api.setChaos({ [key]: Number(event.target.value) }))}
      />
    </label>
  )
  const every = (key: 'killEveryMs' | 'restartEveryMs', text: string, choices: number[]) => (
    <label className="demo-field">
      <span>{text}</span>
      <select
        value={chaos?.[key] ?? 0}
        disabled={!chaos}
        onChange={(event) => act(() => api.setChaos({ [key]: Number(event.target.value) }))}
      >
        {choices.map((ms) => (
          <option key={ms} value={ms}>
            {label(ms)}
          </option>
        ))}
      </select>
    </label>
  )
  return (
    <fieldset className="demo-chaos" aria-busy={busy}>
      <legend>Network chaos (server side, every connection)</legend>
      {rate('reorder', 'Reorder')}
      {rate('duplicate', 'Duplicate')}
      {rate('drop', 'Drop')}
      {every('killEveryMs', 'Kill sockets', KILL_CHOICES)}
      {every('restartEveryMs', 'Restart hub', RESTART_CHOICES)}
      <div className="demo-actions">
        <button type="button" onClick={() => act(api.kill)}>
          Kill connections now
        </button>
        <button type="button" onClick={() => act(api.restart)}>
          Restart hub now
        </button>
      </div>
    </fieldset>
  )
}
