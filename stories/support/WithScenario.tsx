import { type ReactNode, useState } from 'react'
import { type LabelsOverride, ProgressProvider } from '../../src/react/index'
import type { Scenario } from './scenarios'

export interface WithScenarioProps {
  /** Builds the scenario once per mount. */
  make: () => Scenario
  locale?: string
  labels?: LabelsOverride
  dir?: 'ltr' | 'rtl'
  children: ReactNode
}

/** Renders its children inside a `ProgressProvider` fed by one scenario. */
export function WithScenario({ make, locale, labels, dir, children }: WithScenarioProps) {
  const [source] = useState(make)
  return (
    <ProgressProvider client={source} locale={locale} labels={labels}>
      <div dir={dir} lang={locale} style={{ maxWidth: 560, padding: 16 }}>
        {children}
      </div>
    </ProgressProvider>
  )
}
