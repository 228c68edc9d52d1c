import { describe, expect } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type DiscordFake, startDiscordFake } from '../../fakes/discord.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { attachmentsSandbox, replyWaiter, serveAttachments } from './harness.ts'
import { expectFilesIn, expectSendFile } from './scenarios.ts'

/** Done-when of the attachments issue for Discord, through `ngb serve` with the mock agent in containers. */
const ann = { id: '4242000000000000001', username: 'ann', global_name: 'Ann' }
const dmChannel = '7000000000000000001'
const folder = 'dc-dm'
const sandbox = attachmentsSandbox(folder)
const { workspace } = sandbox

describe('Discord attachments through ngb serve', () => {
  let fake: DiscordFake

  const replies = () =>
    fake.calls.calls
      .filter((c) => c.method === 'POST' && c.status === 200 && c.path === `/channels/${dmChannel}/messages`)
      .map((c) => c.body.content)
      .filter((t): t is string => typeof t === 'string')
  const { nextReply, nextReplies } = replyWaiter(replies, 'Discord')

  serveAttachments(sandbox, { jid: `discord:${dmChannel}`, folder }, () => {
    fake = startDiscordFake()
    return { env: { DISCORD_BOT_TOKEN: fake.token, DISCORD_API_BASE: fake.apiBase }, fakes: [fake] }
  })

  dockerTest(
    'an image and a PDF reach the agent; a file over the limit is refused and nothing is written',
    () =>
      expectFilesIn(sandbox, nextReply, (f) =>
        fake.injectFile({
          channelId: dmChannel,
          author: ann,
          content: f.text,
          file: { name: f.name, bytes: f.bytes, contentType: f.type, declaredSize: f.declaredSize },
        }),
      ),
    60_000,
  )

  dockerTest(
    "the agent's send_file of a PNG arrives as an attachment; a symlink out of the workspace is refused",
    async () => {
      const say = (content: string) => fake.injectMessage({ channelId: dmChannel, author: ann, content })
      await expectSendFile(sandbox, nextReply, say, fake.uploads, (upload) =>
        expect(upload).toMatchObject({ channelId: dmChannel, name: 'chart.png', content: 'the chart' }),
      )
      // Over Discord's 10 MB: a clear message in the chat instead of a failed upload.
      writeFileSync(join(workspace, 'huge.bin'), new Uint8Array(10 * 1024 * 1024 + 1))
      const answers = await nextReplies(2, () => say('/sendfile huge.bin'))
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
