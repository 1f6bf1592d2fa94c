/** The system Chromium (Debian's package, `CHROMIUM_PATH` overrides it): nothing is downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

// Offline and quiet: no first-run, sync, component updates, QUIC, or DNS beyond localhost.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
]

/** Launch options for playwright-core's `chromium.launch`. */
export const chromiumLaunchOptions = { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }
