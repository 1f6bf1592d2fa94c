// react-dom/profiling is react-dom/client with <Profiler> timings kept in the production build; @types/react-dom has no entry for it.
declare module 'react-dom/profiling' {
  export * from 'react-dom/client'
}
