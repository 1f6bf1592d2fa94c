// What vitest.config.ts provides to each project's tests (`inject` from 'vitest').
import 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major the project runs: '19' (unit), '18' (react18). */
    reactMajor: string
  }
}
