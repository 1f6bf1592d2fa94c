// @vitest-environment jsdom
import { render, screen } from '@testing-library/react'
import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { renderToString } from 'react-dom/server'
import { inject } from 'vitest'
import { RunProgress } from '../../src/react/index'

// The react18 project runs every test in test/react again on React 18.3: this says it really does.
test('React, react-dom, its server renderer and Testing Library are the version this project runs', () => {
  expect(version.split('.')[0]).toBe(inject('reactMajor'))
  expect(domVersion).toBe(version)
  expect(renderToString(<RunProgress runId="r1" />)).toContain('role="progressbar"')
  render(<RunProgress runId="r1" />)
  expect(screen.getByRole('progressbar')).toBeDefined()
})
