import { afterAll, beforeAll, describe, expect } from 'bun:test'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type SlackFake, startSlackFake } from '../../fakes/slack.ts'
import { dockerTest, HAS_DOCKER } from '../../helpers/docker.ts'
import { bigPdf, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { type LiveNgb, stopNgb } from '../../helpers/spawn-ngb.ts'
import { attachmentsSandbox, LIMIT, replyWaiter, startAttachmentsServe, waitForLog } from './harness.ts'

/** Done-when of the attachments issue for Slack, through `ngb serve` with the mock agent in containers. */
const ann = 'U0000ANN1'
const dm = 'D0000DM01'
const folder = 'sl-dm'
const sandbox = attachmentsSandbox(folder)
const { box, workspace, inboxFiles } = sandbox

describe('Slack attachments through ngb serve', () => {
  let fake: SlackFake
  let serve: LiveNgb | undefined

  const replies = () =>
    fake.calls.calls
      .filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.body.channel === dm)
      .map((c) => String(c.body.text))
  const { nextReply } = replyWaiter(replies, 'Slack')

  beforeAll(async () => {
    if (!HAS_DOCKER) return
    fake = startSlackFake()
    serve = await startAttachmentsServe(
      sandbox,
      { jid: `slack:${dm}`, folder },
      { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl },
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
      await waitForLog(sandbox.logFile, 'resolves outside the workspace', 'the refusal in the log')
      expect(fake.uploads.calls).toHaveLength(1)
    },
    60_000,
  )
})
