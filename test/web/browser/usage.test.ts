/**
 * The usage charts and the Usage page in real Chromium against a real `ngb serve` (real containers,
 * the mock agent): empty state first, then charts that change without a reload when a run finishes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { docker, HAS_DOCKER } from '../../helpers/docker.ts'
import type { ServeProcess } from './serve.ts'
import { SCREENSHOTS, sandboxHome, startServe } from './serve.ts'

const CHROMIUM = process.env.NGB_CHROMIUM ?? '/usr/bin/chromium'
const READY = existsSync(CHROMIUM) && HAS_DOCKER
const INSTALL_ID = `tu${crypto.randomUUID().slice(0, 6)}`
const PASSWORD = 'usage-browser-pass'
const leftovers = () =>
  docker(['ps', '-a', '-q', '--filter', `label=ngb.install=${INSTALL_ID}`])
    .out.split('\n')
    .filter(Boolean)
const browserTest = (name: string, fn: () => Promise<void>) => test.skipIf(!READY)(name, fn, 60_000)

// Our own temp dir: it must outlive `ngb serve`, which logs into it while shutting down.
const dataDir = mkdtempSync(join(tmpdir(), 'ngb-usage-browser-'))
let serve: ServeProcess
let browser: Browser
let page: Page

beforeAll(async () => {
  if (!READY) return
  mkdirSync(SCREENSHOTS, { recursive: true })
  const image = await ensureTestImage()
  const db = openDatabase(join(dataDir, 'ngb.db'))
  const repos = createRepos(db)
  repos.meta.set('install_id', INSTALL_ID)
  repos.groups.create({ folder: 'main', name: 'Main', isMain: true, triggerMode: 'always' }, Date.now())
  repos.groups.create(
    {
      folder: 'family',
      name: 'Family',
      isMain: false,
      triggerMode: 'always',
      settings: { budget: { dailyUsd: 0.05, policy: 'hold' } },
    },
    Date.now(),
  )
  db.close()
  serve = await startServe(dataDir, {
    ...sandboxHome(dataDir),
    NGB_ADMIN_PASSWORD: PASSWORD,
    NGB_CONTAINER_IMAGE: image,
    NGB_CONTAINER_MEMORY: '256m',
    NGB_CONTAINER_CPUS: '1',
    NGB_IDLE_TIMEOUT_MS: '1000',
    NGB_TZ: 'Europe/Berlin',
  })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage()
  await page.goto(`${serve.url}/login`)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.getByRole('heading', { name: 'Overview' }).waitFor()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await serve?.stop()
  expect(serve?.proc.exitCode ?? 0).toBe(0)
  const left = HAS_DOCKER ? leftovers() : []
  if (left.length > 0) docker(['rm', '-f', ...left])
  rmSync(dataDir, { recursive: true, force: true })
  expect(left).toEqual([])
}, 30_000)

const bars = (p: Page, chart: string) =>
  p
    .locator(`#usage-charts svg[aria-label="${chart}"] rect.bar`)
    .evaluateAll((rects) =>
      rects.filter((r) => Number(r.getAttribute('height')) > 0).map((r) => r.textContent ?? ''),
    )

describe('usage charts in a real browser', () => {
  browserTest('no runs yet: every chart shows its empty state', async () => {
    await page.goto(`${serve.url}/`)
    const charts = page.locator('#usage-charts svg')
    expect(await charts.count()).toBe(4)
    expect(await page.locator('#usage-charts svg.chart-empty').count()).toBe(4)
    expect(await page.locator('#usage-charts').textContent()).toContain('No runs in the last 30 days')
    await page.screenshot({ path: join(SCREENSHOTS, 'usage-empty.png'), fullPage: true })
  })

  browserTest('a finished run updates the overview charts without a reload', async () => {
    await page.goto(`${serve.url}/`)
    await page.locator('#live-status', { hasText: /^live$/ }).waitFor()
    // Marks this page load: a reload would lose it.
    await page.evaluate(() => {
      ;(window as unknown as { __sameLoad: boolean }).__sameLoad = true
    })
    const res = await page.evaluate(async () => {
      const csrf = JSON.parse(document.body.getAttribute('hx-headers:inherited') ?? '{}')['X-CSRF-Token']
      const r = await fetch('/groups/family/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': csrf },
        body: 'text=how+much',
      })
      return r.status
    })
    expect(res).toBe(204)
    // The charts are replaced when the run finishes (the container exits after the 1 s idle timeout).
    await page
      .locator('#usage-charts svg[aria-label="Runs per day, last 30 days"]:not(.chart-empty)')
      .waitFor({ timeout: 45_000 })
    expect(await page.evaluate(() => (window as unknown as { __sameLoad?: boolean }).__sameLoad)).toBe(true)
    // The same run.finished empties the Active runs table (an empty swap must not be skipped).
    await page.waitForFunction(() => document.querySelectorAll('#active-runs tr').length === 0, null, {
      timeout: 5000,
    })
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(Date.now()).slice(5)
    expect(await bars(page, 'Runs per day, last 30 days')).toEqual([`${today}: 1 run`])
    expect(await bars(page, 'Cost per day, last 30 days')).toEqual([`${today}: $0.01`])
    expect(await bars(page, 'Tokens by group, last 30 days')).toEqual(['family: 180'])
    expect(
      await page
        .locator('#usage-charts svg[aria-label="Time to first output, p50 and p95"] rect.bar')
        .count(),
    ).toBe(2)
    await page.screenshot({ path: join(SCREENSHOTS, 'usage-overview.png'), fullPage: true })
  })

  browserTest('the Usage page lists groups by cost with their budget and a used-bar', async () => {
    await page.goto(`${serve.url}/usage`)
    const rows = page.locator('#usage-groups tbody tr')
    expect(await rows.count()).toBe(2)
    expect(await rows.first().locator('td').first().textContent()).toBe('Family')
    expect(await rows.first().textContent()).toContain('daily $0.01 of $0.05 (20%)')
    expect(await rows.first().locator('meter').getAttribute('value')).toBe('0.2')
    expect(await rows.nth(1).textContent()).toContain('none')
    await page.screenshot({ path: join(SCREENSHOTS, 'usage-page.png'), fullPage: true })
  })

  browserTest('the group page shows its charts and saves a budget; the run page shows usage', async () => {
    await page.goto(`${serve.url}/groups/family`)
    expect(await bars(page, 'Cost per day, last 30 days')).toHaveLength(1)
    await page.getByLabel('Daily budget (USD)').fill('2.5')
    await page.getByRole('button', { name: 'Save budget' }).click()
    await page.locator('#budget-status', { hasText: 'Budget saved.' }).waitFor()
    const runs = await page.evaluate(() => fetch('/api/runs?group=family').then((r) => r.json()))
    const runId = (runs as Array<{ id: string }>)[0]?.id ?? ''
    await page.goto(`${serve.url}/runs/${encodeURIComponent(runId)}`)
    const usage = page.locator('#run-usage')
    expect(await usage.textContent()).toContain('$0.01')
    expect(await usage.textContent()).toContain('mock')
    const groups = await page.evaluate(() => fetch('/api/groups').then((r) => r.json()))
    const family = (groups as Array<{ folder: string; settings: { budget?: unknown } }>).find(
      (g) => g.folder === 'family',
    )
    expect(family?.settings.budget).toEqual({ dailyUsd: 2.5, policy: 'hold' })
  })
})
