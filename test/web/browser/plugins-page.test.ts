import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { ensureCliToken } from '../../../src/cli/admin/cli-token.ts'
import type { ServeProcess } from './serve.ts'
import { SCREENSHOTS, sandboxHome, startServe } from './serve.ts'

const CHROMIUM = process.env.NGB_CHROMIUM ?? '/usr/bin/chromium'
const browserTest = (name: string, fn: () => Promise<void>) =>
  test.skipIf(!existsSync(CHROMIUM))(name, fn, 30_000)

/**
 * The Plugins page in a real browser over a real `ngb serve`: it updates by itself when a hook
 * fails or a plugin file appears, and its Enable button changes what runs. No container starts:
 * the `sink` plugin drops every message after `boom` has failed on it.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'ngb-browser-plugins-'))
const pluginsDir = join(dataDir, 'plugins')
let serve: ServeProcess
let browser: Browser
let page: Page
let token = ''

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${serve.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return res.json()
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return
  mkdirSync(pluginsDir, { recursive: true })
  writeFileSync(
    join(pluginsDir, 'boom.ts'),
    "export default { name: 'boom', onMessage() { throw new Error('boom <b>failed</b>') } }",
  )
  writeFileSync(join(pluginsDir, 'sink.ts'), "export default { name: 'sink', onMessage: () => null }")
  serve = await startServe(dataDir, {
    ...sandboxHome(dataDir),
    NGB_ADMIN_PASSWORD: 'plugins-page-pass',
  })
  token = ensureCliToken(dataDir)
  await api('POST', '/api/groups', { folder: 'main', name: 'main' })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  page = await (await browser.newContext()).newPage()
  await page.goto(`${serve.url}/login`)
  await page.getByLabel('Password').fill('plugins-page-pass')
  await page.getByRole('button', { name: 'Log in' }).click()
  await page.waitForURL(`${serve.url}/`)
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await serve?.stop()
  expect(serve?.proc.exitCode ?? 0).toBe(0)
  rmSync(dataDir, { recursive: true, force: true })
}, 20_000)

describe('Plugins page in a real browser', () => {
  browserTest('a hook error and a new plugin file show up without a reload', async () => {
    await page.goto(`${serve.url}/plugins`)
    const boom = page.locator('#plugins-status tr', { hasText: 'boom' })
    await boom.getByText('running').waitFor()
    expect(await boom.locator('td').nth(4).textContent()).toBe('0')
    await api('POST', '/api/groups/main/messages', { text: 'trip the plugin' })
    await page.locator('#plugins-status tr', { hasText: 'boom <b>failed</b>' }).waitFor({ timeout: 10_000 })
    expect(await boom.locator('td').nth(4).textContent()).toBe('1')
    expect(await page.locator('#plugins-status b').count()).toBe(0)
    writeFileSync(join(pluginsDir, 'later.ts'), "export default { name: 'later', version: '3.1.4' }")
    await page.locator('#plugins-status tr', { hasText: '3.1.4' }).waitFor({ timeout: 10_000 })
  })

  browserTest('Enable puts a built-in into the running chain', async () => {
    const card = page.locator('#plugin-auto-reply')
    await card.getByRole('button', { name: 'Enable' }).click()
    await card.getByRole('button', { name: 'Disable' }).waitFor()
    // The table follows at once (the toggle's HX-Trigger), not at its next 2 s poll.
    await page
      .locator('#plugins-status tr', { hasText: 'auto-reply' })
      .getByText('running')
      .waitFor({ timeout: 1500 })
    const list = (await api('GET', '/api/plugins')) as Array<{ name: string; running: boolean }>
    expect(list.find((p) => p.name === 'auto-reply')?.running).toBe(true)
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: join(SCREENSHOTS, 'plugins.png'), fullPage: true })
  })
})
