/**
 * Imported first by bench/index.ts: React and react-dom pick their build from NODE_ENV when they load, and an
 * app ships the production build. With `react-dom/profiling` that build still reports <Profiler> timings.
 */
process.env.NODE_ENV = 'production'
