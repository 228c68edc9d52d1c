import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { chromium } from 'playwright-core'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { ensureTestImage } from '../../helpers/agent-image.ts'
import { docker, HAS_DOCKER } from '../../helpers/docker.ts'
import { PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import type { ServeProcess } from './serve.ts'
import { startServe } from './serve.ts'

/** The dashboard chat's files, in a real browser against `ngb serve` with the mock agent in containers. */
const CHROMIUM = process.env.NGB_CHROMIUM ?? '/usr/bin/chromium'
const run = existsSync(CHROMIUM) && HAS_DOCKER ? test : test.skip
const INSTALL_ID = `ta${crypto.randomUUID().slice(0, 6)}`
const dataDir = mkdtempSync(join(tmpdir(), 'ngb-browser-att-'))
let serve: ServeProcess
let browser: Browser
let page: Page

beforeAll(async () => {
  if (!existsSync(CHROMIUM) || !HAS_DOCKER) return
  const image = await ensureTestImage()
  const db = openDatabase(join(dataDir, 'ngb.db'))
  createRepos(db).meta.set('install_id', INSTALL_ID)
  db.close()
  const home = join(dataDir, 'home')
  mkdirSync(home, { recursive: true })
  serve = await startServe(dataDir, {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    NGB_CONTAINER_IMAGE: image,
    NGB_CONTAINER_MEMORY: '256m',
    NGB_CONTAINER_CPUS: '1',
    NGB_ADMIN_PASSWORD: 'browser-pass-att',
  })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] })
  page = await (await browser.newContext()).newPage()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await serve?.stop()
  const left = HAS_DOCKER
    ? docker(['ps', '-a', '-q', '--filter', `label=ngb.install=${INSTALL_ID}`])
        .out.split('\n')
        .filter(Boolean)
    : []
  if (left.length) docker(['rm', '-f', ...left])
  rmSync(dataDir, { recursive: true, force: true })
}, 30_000)

describe('dashboard chat with files in a real browser', () => {
  run(
    'an uploaded image and PDF reach the agent; the image shows inline; a file the agent sends shows too',
    async () => {
      await page.goto(`${serve.url}/login`)
      await page
        .getByLabel('User name')
        .fill('admin')
        .catch(() => undefined)
      await page.getByLabel('Password').fill('browser-pass-att')
      await page.getByRole('button', { name: 'Log in' }).click()
      await page.waitForURL(`${serve.url}/`)
      await page.goto(`${serve.url}/groups`)
      await page.getByLabel('Folder (a-z, 0-9, -)').fill('pics')
      await page.getByLabel('Name').fill('Pictures')
      await page.getByRole('button', { name: 'Create group' }).click()
      await page.waitForURL(`${serve.url}/groups/pics`)
      await page.locator('#live-status', { hasText: /^live$/ }).waitFor()

      await page.getByLabel('Message').fill('/attachments')
      await page
        .getByLabel('Attach a file')
        .setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1X1) })
      await page.getByRole('button', { name: 'Send' }).click()
      const echo = page.locator('#chat-log li.msg.bot', { hasText: 'image blocks: 1' })
      await echo.waitFor({ timeout: 30_000 })
      expect(await echo.textContent()).toContain(`image "shot.png" image/png ${PNG_1X1.length} bytes present`)
      const inline = page.locator('#chat-log li.msg.user img.attachment').last()
      await inline.waitFor()
      await page.waitForFunction(
        () =>
          (document.querySelector('#chat-log li.msg.user img.attachment') as HTMLImageElement | null)
            ?.naturalWidth === 1,
      )

      await page.getByLabel('Message').fill('/attachments')
      await page
        .getByLabel('Attach a file')
        .setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF_SMALL) })
      await page.getByRole('button', { name: 'Send' }).click()
      await page
        .locator('#chat-log li.msg.bot', {
          hasText: `document "report.pdf" application/pdf ${PDF_SMALL.length} bytes present`,
        })
        .waitFor({ timeout: 30_000 })
      await page.locator('#chat-log li.msg.user a.attachment', { hasText: 'report.pdf' }).waitFor()

      writeFileSync(join(dataDir, 'groups', 'pics', 'chart.png'), PNG_1X1)
      await page.getByLabel('Message').fill('/sendfile chart.png here is the chart')
      await page.getByRole('button', { name: 'Send' }).click()
      const sent = page.locator('#chat-log li.msg.bot img.attachment[alt="chart.png"]')
      await sent.waitFor({ timeout: 30_000 })
      await page.waitForFunction(
        () =>
          (
            document.querySelector(
              '#chat-log li.msg.bot img.attachment[alt="chart.png"]',
            ) as HTMLImageElement | null
          )?.naturalWidth === 1,
      )
    },
    90_000,
  )
})
