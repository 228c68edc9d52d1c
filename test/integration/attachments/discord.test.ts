import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dataPaths } from '../../../src/config/paths.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createGroupsService } from '../../../src/core/groups.ts'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { systemClock } from '../../../src/util/clock.ts'
import { type DiscordFake, startDiscordFake } from '../../fakes/discord.ts'
import { agentSandbox, ensureTestImage } from '../../helpers/agent-image.ts'
import { dockerTest, HAS_DOCKER } from '../../helpers/docker.ts'
import { bigPdf, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { type LiveNgb, spawnNgb } from '../../helpers/spawn-ngb.ts'
import { waitFor } from '../../helpers/wait.ts'

/** Done-when of the attachments issue for Discord, through `ngb serve` with the mock agent in containers. */
const LIMIT = 64 * 1024
const box = agentSandbox({ NGB_ATTACHMENT_MAX_BYTES: String(LIMIT) })
const ann = { id: '4242000000000000001', username: 'ann', global_name: 'Ann' }
const dmChannel = '7000000000000000001'
const folder = 'dc-dm'
const workspace = join(dataPaths(box.dataDir).groups, folder)

describe('Discord attachments through ngb serve', () => {
  let fake: DiscordFake
  let serve: LiveNgb | undefined

  const replies = () =>
    fake.calls.calls
      .filter((c) => c.method === 'POST' && c.status === 200 && c.path === `/channels/${dmChannel}/messages`)
      .map((c) => c.body.content)
      .filter((t): t is string => typeof t === 'string')

  async function nextReply(send: () => void): Promise<string> {
    const before = replies().length
    send()
    await waitFor(() => replies().length > before, 'a reply at the Discord fake', 30_000)
    return replies()[before] ?? ''
  }

  async function nextReplies(n: number, send: () => void): Promise<string[]> {
    const before = replies().length
    send()
    await waitFor(() => replies().length >= before + n, `${n} replies at the Discord fake`, 30_000)
    return replies().slice(before)
  }

  const inboxFiles = () => {
    const inbox = join(workspace, 'inbox')
    if (!existsSync(inbox)) return []
    return readdirSync(inbox).flatMap((d) => readdirSync(join(inbox, d)).map((f) => join(inbox, d, f)))
  }

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    const image = await ensureTestImage()
    fake = startDiscordFake()
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
    groups.bind(`discord:${dmChannel}`, folder)
    db.close()
    serve = spawnNgb(['serve', '--port', '0'], {
      env: {
        ...box.env,
        NGB_CONTAINER_IMAGE: image,
        NGB_ADMIN_PASSWORD: 'test-admin-password',
        DISCORD_BOT_TOKEN: fake.token,
        DISCORD_API_BASE: fake.apiBase,
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
          channelId: dmChannel,
          author: ann,
          content: '/attachments',
          file: { name: 'shot.png', bytes: PNG_1X1, contentType: 'image/png' },
        }),
      )
      expect(image).toContain(`image "shot.png" image/png ${PNG_1X1.length} bytes present; image blocks: 1`)
      const pdf = await nextReply(() =>
        fake.injectFile({
          channelId: dmChannel,
          author: ann,
          content: '/attachments',
          file: { name: 'report.pdf', bytes: PDF_SMALL, contentType: 'application/pdf' },
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
          channelId: dmChannel,
          author: ann,
          file: {
            name: 'big.pdf',
            bytes: bigPdf(LIMIT * 2),
            contentType: 'application/pdf',
            declaredSize: 100,
          },
        }),
      )
      expect(big).toContain('"big.pdf"')
      expect(big).toContain('over the 0.1 MB limit')
      expect(inboxFiles()).toHaveLength(2)
    },
    60_000,
  )

  dockerTest(
    "the agent's send_file of a PNG arrives as an attachment; a symlink out of the workspace is refused",
    async () => {
      writeFileSync(join(workspace, 'chart.png'), PNG_1X1)
      symlinkSync('/etc/hostname', join(workspace, 'host.png'))
      await nextReply(() =>
        fake.injectMessage({ channelId: dmChannel, author: ann, content: '/sendfile chart.png the chart' }),
      )
      const upload = await fake.uploads.waitFor(() => true, 15_000, 'an upload')
      expect(upload).toMatchObject({ channelId: dmChannel, name: 'chart.png', content: 'the chart' })
      expect(upload.bytes).toEqual(PNG_1X1)
      await nextReply(() =>
        fake.injectMessage({ channelId: dmChannel, author: ann, content: '/sendfile host.png' }),
      )
      const logFile = dataPaths(box.dataDir).logFile
      await waitFor(
        () => readFileSync(logFile, 'utf8').includes('resolves outside the workspace'),
        'the refusal in the log',
        15_000,
      )
      expect(fake.uploads.calls).toHaveLength(1)
      // Over Discord's 10 MB: a clear message in the chat instead of a failed upload.
      writeFileSync(join(workspace, 'huge.bin'), new Uint8Array(10 * 1024 * 1024 + 1))
      const answers = await nextReplies(2, () =>
        fake.injectMessage({ channelId: dmChannel, author: ann, content: '/sendfile huge.bin' }),
      )
      expect(
        answers.some((r) =>
          r.includes('I could not send "huge.bin": it is 10 MB, and discord takes files up to 10 MB'),
        ),
      ).toBe(true)
      expect(fake.uploads.calls).toHaveLength(1)
    },
    60_000,
  )
})
