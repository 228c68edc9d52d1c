import { describe, expect } from 'bun:test'
import { type SlackFake, startSlackFake } from '../../fakes/slack.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { attachmentsSandbox, replyWaiter, serveAttachments } from './harness.ts'
import { expectFilesIn, expectSendFile } from './scenarios.ts'

/** Done-when of the attachments issue for Slack, through `ngb serve` with the mock agent in containers. */
const ann = 'U0000ANN1'
const dm = 'D0000DM01'
const folder = 'sl-dm'
const sandbox = attachmentsSandbox(folder)

describe('Slack attachments through ngb serve', () => {
  let fake: SlackFake

  const replies = () =>
    fake.calls.calls
      .filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.body.channel === dm)
      .map((c) => String(c.body.text))
  const { nextReply } = replyWaiter(replies, 'Slack')

  serveAttachments(sandbox, { jid: `slack:${dm}`, folder }, () => {
    fake = startSlackFake()
    return {
      env: { SLACK_BOT_TOKEN: fake.botToken, SLACK_APP_TOKEN: fake.appToken, SLACK_API_URL: fake.apiUrl },
      fakes: [fake],
    }
  })

  dockerTest(
    'an image and a PDF reach the agent; a file over the limit is refused and nothing is written',
    async () => {
      await expectFilesIn(sandbox, nextReply, (f) =>
        fake.injectFile({
          channel: dm,
          user: ann,
          channelType: 'im',
          text: f.text,
          file: { name: f.name, bytes: f.bytes, mimetype: f.type, declaredSize: f.declaredSize },
        }),
      )
      // Every download carried the bot token.
      expect(fake.downloads.calls.every((d) => d.authorized)).toBe(true)
    },
    60_000,
  )

  dockerTest(
    "the agent's send_file of a PNG arrives through the external upload flow; a symlink out of the workspace is refused",
    () =>
      expectSendFile(
        sandbox,
        nextReply,
        (text) => fake.injectMessage({ channel: dm, user: ann, channelType: 'im', text }),
        fake.uploads,
        (upload) => expect(upload).toMatchObject({ channel: dm, name: 'chart.png', comment: 'the chart' }),
      ),
    60_000,
  )
})
