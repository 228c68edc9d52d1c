import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataPaths } from '../../../src/config/paths.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createGroupsService } from '../../../src/core/groups.ts'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { type SlackFake, startSlackFake } from '../../fakes/slack.ts'
import { agentSandbox, ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest, HAS_DOCKER } from '../../helpers/docker.ts'
import { bigPdf, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { type LiveNgb, spawnNgb } from '../../helpers/spawn-ngb.ts'
import { waitFor } from '../../helpers/wait.ts'

/** Done-when of the attachments issue for Slack, through `ngb serve` with the mock agent in containers. */
const LIMIT = 64 * 1024
const box = agentSandbox({ NGB_ATTACHMENT_MAX_BYTES: String(LIMIT) })
const ann = 'U0000ANN1'
const dm = 'D0000DM01'
const folder = 'sl-dm'
const workspace = join(dataPaths(box.dataDir).groups, folder)

describe('Slack attachments through ngb serve', () => {
  let fake: SlackFake
  let serve: LiveNgb | undefined

  const replies = () =>
    fake.calls.calls
      .filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.body.channel === dm)
      .map((c) => String(c.body.text))

  async function nextReply(send: () => void): Promise<string> {
    const before = replies().length
    send()
    await waitFor(() => replies().length > before, 'a reply at the Slack fake', 30_000)
    return replies()[before] ?? ''
  }

  const inboxFiles = () => {
    const inbox = join(workspace, 'inbox')
    if (!existsSync(inbox)) return []
    return readdirSync(inbox).flatMap((d) => readdirSync(join(inbox, d)).map((f) => join(inbox, d, f)))
  }

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    const image = await ensureTestImage()
    fake = startSlackFake()
    const paths = dataPaths(box.dataDir)
    const db = openDatabase(paths.db)
    const groups = createGroupsService({
      repos: createRepos(db),
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    groups.createGroup({ folder: 'admin' })
    groups.createGroup({ folder, triggerMode: 'always' })
    groups.bind(`slack:${dm}`, folder)
    db.close()
    serve = spawnNgb(['serve', '--port', '0'], {
      env: {
        ...box.env,
        NGB_CONTAINER_IMAGE: image,
        NGB_ADMIN_PASSWORD: 'test-admin-password',
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_APP_TOKEN: fake.appToken,
        SLACK_API_URL: fake.apiUrl,
      },
    })
    await waitFor(() => serve?.stdout().includes('Dashboard:'), 'ngb serve to start', 30_000)
  }, 180_000)

  afterAll(async () => {
    if (serve) {
      serve.proc.kill('SIGTERM')
      expect(await serve.exited).toBe(0)
    }
    await fake?.stop()
    box.cleanup()
  }, 30_000)

  dockerTest(
    'an image and a PDF reach the agent; a file over the limit is refused and nothing is written',
    async () => {
      const image = await nextReply(() =>
        fake.injectFile({
          channel: dm,
          user: ann,
          channelType: 'im',
          text: '/attachments',
          file: { name: 'shot.png', bytes: PNG_1X1, mimetype: 'image/png' },
        }),
      )
      expect(image).toContain(`image "shot.png" image/png ${PNG_1X1.length} bytes present; image blocks: 1`)
      const pdf = await nextReply(() =>
        fake.injectFile({
          channel: dm,
          user: ann,
          channelType: 'im',
          text: '/attachments',
          file: { name: 'report.pdf', bytes: PDF_SMALL, mimetype: 'application/pdf' },
        }),
      )
      expect(pdf).toContain(`document "report.pdf" application/pdf ${PDF_SMALL.length} bytes present`)
      expect(
        inboxFiles()
          .map((f) => f.slice(-4))
          .sort(),
      ).toEqual(['.pdf', '.png'])
      const big = await nextReply(() =>
        fake.injectFile({
          channel: dm,
          user: ann,
          channelType: 'im',
          file: { name: 'big.pdf', bytes: bigPdf(LIMIT * 2), mimetype: 'application/pdf', declaredSize: 100 },
        }),
      )
      expect(big).toContain('"big.pdf"')
      expect(big).toContain('over the 0.1 MB limit')
      expect(inboxFiles()).toHaveLength(2)
      // Every download carried the bot token.
      expect(fake.downloads.calls.every((d) => d.authorized)).toBe(true)
    },
    60_000,
  )

  dockerTest(
    "the agent's send_file of a PNG arrives through the external upload flow; a symlink out of the workspace is refused",
    async () => {
      writeFileSync(join(workspace, 'chart.png'), PNG_1X1)
      symlinkSync('/etc/hostname', join(workspace, 'host.png'))
      await nextReply(() =>
        fake.injectMessage({
          channel: dm,
          user: ann,
          channelType: 'im',
          text: '/sendfile chart.png the chart',
        }),
      )
      const upload = await fake.uploads.waitFor(() => true, 15_000, 'an upload')
      expect(upload).toMatchObject({ channel: dm, name: 'chart.png', comment: 'the chart' })
      expect(upload.bytes).toEqual(PNG_1X1)
      await nextReply(() =>
        fake.injectMessage({ channel: dm, user: ann, channelType: 'im', text: '/sendfile host.png' }),
      )
      const logFile = dataPaths(box.dataDir).logFile
      await waitFor(
        () => readFileSync(logFile, 'utf8').includes('resolves outside the workspace'),
        'the refusal in the log',
        15_000,
      )
      expect(fake.uploads.calls).toHaveLength(1)
    },
    60_000,
  )
})
