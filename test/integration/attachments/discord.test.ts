import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DiscordFake, startDiscordFake } from '../../fakes/discord.ts'
import { dockerTest, HAS_DOCKER } from '../../helpers/docker.ts'
import { bigPdf, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { type LiveNgb, stopNgb } from '../../helpers/spawn-ngb.ts'
import { attachmentsSandbox, LIMIT, replyWaiter, startAttachmentsServe, waitForLog } from './harness.ts'

/** Done-when of the attachments issue for Discord, through `ngb serve` with the mock agent in containers. */
const ann = { id: '4242000000000000001', username: 'ann', global_name: 'Ann' }
const dmChannel = '7000000000000000001'
const folder = 'dc-dm'
const sandbox = attachmentsSandbox(folder)
const { box, workspace, inboxFiles } = sandbox

describe('Discord attachments through ngb serve', () => {
  let fake: DiscordFake
  let serve: LiveNgb | undefined

  const replies = () =>
    fake.calls.calls
      .filter((c) => c.method === 'POST' && c.status === 200 && c.path === `/channels/${dmChannel}/messages`)
      .map((c) => c.body.content)
      .filter((t): t is string => typeof t === 'string')
  const { nextReply, nextReplies } = replyWaiter(replies, 'Discord')

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    fake = startDiscordFake()
    serve = await startAttachmentsServe(
      sandbox,
      { jid: `discord:${dmChannel}`, folder },
      { DISCORD_BOT_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase },
    )
  }, 180_000)

  afterAll(async () => {
    if (serve) expect(await stopNgb(serve)).toBe(0)
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
      await waitForLog(sandbox.logFile, 'resolves outside the workspace', 'the refusal in the log')
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
