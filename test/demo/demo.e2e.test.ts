// @vitest-environment node
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium } from 'playwright-core'
import { chromiumLaunchOptions } from '../../scripts/chromium'

const root = fileURLToPath(new URL('../..', import.meta.url))

type Sample = { run: string | null; value: number }
declare global {
  interface Window {
    __barSamples: Sample[]
    /** Every state the kit's confidence badges take, with their run. */
    __badgeStates: { run: string | null; state: string | null }[]
  }
}

/** Starts the demo exactly as `npm start` does, in its own process group; resolves with the printed URL. */
function startDemo(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(
    'npm',
    [
      'start',
      '--',
      '--port',
      '0',
      '--speed',
      '0.2',
      '--runs',
      '0',
      '--seed',
      '7',
      '--chaos',
      'reorder=0.1,dup=0.05,drop=0.02',
    ],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  )
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed:\n${output}`)), 45_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /live-progress demo: (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve({ child, url: match[1]!, output: () => output })
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`demo exited with ${code}:\n${output}`))
    })
  })
}

function stopDemo(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {}
    }, 5_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    try {
      process.kill(-child.pid!, 'SIGTERM') // the whole group: npm, sh and the server
    } catch {
      resolve()
    }
  })
}

/** A page that records every value the kit's bar shows, and every console error. */
async function openPage(browser: Browser) {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(error.message))
  // Every value the kit's bar ever shows, recorded in the page as it changes.
  await page.addInitScript(() => {
    window.__barSamples = []
    window.__badgeStates = []
    const record = (element: Element) => {
      if (element.matches('.lp-badge')) {
        const run = element.closest('[data-run]')?.getAttribute('data-run') ?? null
        window.__badgeStates.push({ run, state: element.getAttribute('data-state') })
        return
      }
      const value = element.getAttribute('aria-valuenow')
      if (value === null || !element.matches('.lp-bar')) return // not the naive bar beside it
      window.__barSamples.push({
        run: element.closest('[data-run]')?.getAttribute('data-run') ?? null,
        value: Number(value),
      })
    }
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        if (mutation.type === 'attributes') record(mutation.target as Element)
        else
          for (const node of mutation.addedNodes)
            if (node instanceof Element) node.querySelectorAll('.lp-bar, .lp-badge').forEach(record)
      }
    }).observe(document, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-valuenow', 'data-state'],
    })
  })
  return { page, errors }
}

describe('the demo people run first', () => {
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined
  let browser: Browser | undefined

  afterAll(async () => {
    await browser?.close()
    if (demo) await stopDemo(demo.child)
  })

  it('reaches 100% with no backward step and no console error while the socket is killed twice', async () => {
    demo = await startDemo()
    browser = await chromium.launch(chromiumLaunchOptions)
    const { page, errors } = await openPage(browser)
    await page.goto(demo.url)
    // The chaos sliders are named, say percents, and keep up with fast keys; the server settles on the last value.
    const reorder = page.getByRole('slider', { name: 'Reorder' })
    const serverReorder = async () =>
      ((await (await fetch(new URL('/api/state', demo!.url))).json()) as { chaos: { reorder: number } }).chaos
        .reorder
    await reorder.focus()
    await reorder.press('Home')
    for (let i = 0; i < 5; i++) await reorder.press('ArrowRight')
    expect(await reorder.getAttribute('aria-valuetext')).toBe('5%')
    await expect.poll(serverReorder, { timeout: 5_000, interval: 100 }).toBeCloseTo(0.05)
    await reorder.press('Home')
    await expect.poll(serverReorder, { timeout: 5_000, interval: 100 }).toBe(0)
    await page.getByRole('button', { name: 'Start a run' }).click()
    const bar = page.locator('[data-run] .lp-bar')
    await bar.and(page.locator('[aria-valuenow]')).waitFor({ timeout: 15_000 })

    const opens = async () =>
      Number(/(\d+) opens?/.exec((await page.locator('.demo-status').textContent()) ?? '')?.[1])
    const value = async () => Number(await bar.getAttribute('aria-valuenow'))
    for (let kill = 1; kill <= 2; kill++) {
      const before = await value()
      await page.waitForFunction(
        (least) =>
          Number(document.querySelector('[data-run] .lp-bar')?.getAttribute('aria-valuenow')) > least,
        before,
        { timeout: 15_000 },
      )
      await page.getByRole('button', { name: 'Kill connections now' }).click()
      // The client comes back by itself (the status line counts opens).
      await expect.poll(opens, { timeout: 15_000, interval: 100 }).toBeGreaterThanOrEqual(kill + 1)
    }

    await page.locator('[data-run] .lp-bar[aria-valuenow="100"]').waitFor({ timeout: 40_000 })
    const samples = await page.evaluate(() => window.__barSamples)
    const values = samples.filter((sample) => sample.run !== null).map((sample) => sample.value)
    expect(values.length).toBeGreaterThan(5)
    const backward = values.filter((v, i) => i > 0 && v < values[i - 1]!)
    expect(backward).toEqual([])
    expect(values.at(-1)).toBe(100)
    expect(await bar.getAttribute('data-state')).toBe('complete')
    expect(errors).toEqual([])
  }, 90_000)

  it('gives up a stalled socket after the heartbeat timeout: a second connection, and the bar ends at 100% without a step back', async () => {
    // The demo server and browser of the test above (afterAll closes them); this page has its own client.
    if (!demo || !browser) throw new Error('the test above starts the demo')
    const { page, errors } = await openPage(browser)
    await page.goto(demo.url)
    const line = async () => (await page.locator('.demo-status').textContent()) ?? ''
    const count = async (what: RegExp) => Number(what.exec(await line())?.[1])
    await expect.poll(() => count(/(\d+) opens?/), { timeout: 15_000, interval: 100 }).toBe(1)
    await page.getByRole('button', { name: 'Start a run' }).click()
    const row = page.locator('[data-run]').first() // newest first
    const bar = row.locator('.lp-bar')
    await bar.and(page.locator('[aria-valuenow]')).waitFor({ timeout: 15_000 })
    const runId = await row.getAttribute('data-run')
    await page.waitForFunction(
      (id) => Number(document.querySelector(`[data-run="${id}"] .lp-bar`)?.getAttribute('aria-valuenow')) > 0,
      runId,
      { timeout: 15_000 },
    )

    // Open, silent, never closed by the server: only the client's heartbeat timeout (2.5 × 2 s) can end it.
    await page.getByRole('button', { name: 'Stall connections' }).click()
    await expect.poll(() => count(/(\d+) silences?/), { timeout: 15_000, interval: 100 }).toBe(1)
    await expect.poll(() => count(/(\d+) opens?/), { timeout: 10_000, interval: 100 }).toBe(2)

    await page.locator(`[data-run="${runId}"] .lp-bar[aria-valuenow="100"]`).waitFor({ timeout: 40_000 })
    const values = (await page.evaluate(() => window.__barSamples))
      .filter((sample) => sample.run === runId)
      .map((sample) => sample.value)
    expect(values.filter((v, i) => i > 0 && v < values[i - 1]!)).toEqual([])
    expect(values.at(-1)).toBe(100)
    // Once given up the badge said so, and the fresh connection was not taken for a stale run.
    const states = (await page.evaluate(() => window.__badgeStates))
      .filter((entry) => entry.run === runId)
      .map((entry) => entry.state)
    expect(states).toContain('reconnecting')
    expect(states.slice(states.indexOf('reconnecting'))).not.toContain('stale')
    expect(states.at(-1)).toBe('final')
    expect(errors).toEqual([])
  }, 90_000)
})
