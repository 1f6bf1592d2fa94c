import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { chromiumLaunchOptions } from '../scripts/chromium'
import { demoRoot, ensurePageBuilt, pageDir } from './buildPage'
import { createDemoServer } from './createDemoServer'

// `npx tsx demo/screenshot.ts [out.png]`: the demo mid-flight (three runs, one queued, some chaos) → docs/demo.png.
const out = process.argv[2] ?? join(demoRoot, '..', 'docs', 'demo.png')

await ensurePageBuilt({ log: console.log })
const server = await createDemoServer({
  port: 0,
  host: '127.0.0.1',
  pageDir,
  seed: 4,
  chaos: { reorder: 0.15, duplicate: 0.05, drop: 0, killEveryMs: 0 },
})
const browser = await chromium.launch(chromiumLaunchOptions)
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' })
  await page.goto(server.url)
  await server.board.start(4)
  await page.locator('.lp-bar[aria-valuenow]').first().waitFor()
  await page.waitForTimeout(5_000) // mid-flight: parallel searches under way, one run still queued
  mkdirSync(join(out, '..'), { recursive: true })
  await page.screenshot({ path: out, fullPage: false })
  console.log(`wrote ${out}`)
} finally {
  await browser.close()
  await server.close()
}
