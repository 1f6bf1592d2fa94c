import { useEffect, useId, useRef, useState } from 'react'
import { api, type DemoState } from './api'

const KILL_CHOICES = [0, 5_000, 10_000, 15_000, 30_000]
const RESTART_CHOICES = [0, 15_000, 30_000, 60_000]
const label = (ms: number) => (ms === 0 ? 'never' : `every ${ms / 1000} s`)

type Rate = 'reorder' | 'duplicate' | 'drop'
const SEND_AFTER_MS = 150

/** One chaos rate: the slider moves at once (keys, drags) and the server hears the value it settles on. */
function RateSlider({
  name,
  text,
  value,
  disabled,
  send,
}: {
  name: Rate
  text: string
  value: number
  disabled: boolean
  send: (name: Rate, value: number) => Promise<unknown>
}) {
  const id = useId()
  const [draft, setDraft] = useState<number | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  // The server's value takes over again once it reports what the draft asked for.
  useEffect(() => {
    if (draft !== null && Math.abs(value - draft) < 1e-9) setDraft(null)
  }, [value, draft])
  const shown = draft ?? value
  const percent = `${Math.round(shown * 100)}%`
  return (
    <div className="demo-field">
      <span>
        <label htmlFor={id}>{text}</label> <output htmlFor={id}>{percent}</output>
      </span>
      <input
        id={id}
        type="range"
        min={0}
        max={0.5}
        step={0.01}
        value={shown}
        aria-valuetext={percent}
        disabled={disabled}
        onChange={(event) => {
          const next = Number(event.target.value)
          setDraft(next)
          clearTimeout(timer.current)
          // A refused change gives the slider back to the server's value.
          timer.current = setTimeout(() => send(name, next).catch(() => setDraft(null)), SEND_AFTER_MS)
        }}
      />
    </div>
  )
}

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
  const send = (name: Rate, value: number) => {
    const request = api.setChaos({ [name]: value })
    act(() => request)
    return request
  }
  const rate = (name: Rate, text: string) => (
    <RateSlider name={name} text={text} value={chaos?.[name] ?? 0} disabled={!chaos} send={send} />
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
        <button type="button" onClick={() => act(api.stall)}>
          Stall connections
        </button>
        <button type="button" onClick={() => act(api.restart)}>
          Restart hub now
        </button>
      </div>
    </fieldset>
  )
}
