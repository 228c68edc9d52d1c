import { describe, expect } from 'bun:test'
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTelegramFake, type TelegramFake } from '../../fakes/telegram.ts'
import { startTranscriptionFake, type TranscriptionFake } from '../../fakes/transcription.ts'
import { dockerTest } from '../../helpers/docker.ts'
import { bigPdf, OGG_VOICE, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { waitFor } from '../../helpers/wait.ts'
import { attachmentsSandbox, LIMIT, replyWaiter, serveAttachments } from './harness.ts'

/**
 * Done-when of the attachments issue for Telegram, through `ngb serve` with the mock agent in real
 * containers: files in (photo, PDF, over-limit, voice with transcription) and a file out (send_file).
 */
const user = { id: 4242, first_name: 'Ann' }
const dm = { id: 4242, type: 'private' as const, first_name: 'Ann' }
const folder = 'tg-dm'
const sandbox = attachmentsSandbox(folder)
const { box, workspace, inboxFiles } = sandbox

let fake: TelegramFake
let stt: TranscriptionFake

const replies = () =>
  fake.calls.calls
    .filter((c) => c.method === 'sendMessage' && c.status === 200 && c.body.chat_id === dm.id)
    .map((c) => String(c.body.text))
const { nextReply } = replyWaiter(replies, 'Telegram')

describe('Telegram attachments through ngb serve', () => {
  serveAttachments(sandbox, { jid: `telegram:${dm.id}`, folder }, () => {
    fake = startTelegramFake()
    stt = startTranscriptionFake({ text: 'please summarise the report' })
    return {
      env: {
        TELEGRAM_BOT_TOKEN: fake.token,
        TELEGRAM_API_ROOT: fake.apiRoot,
        NGB_TRANSCRIPTION_URL: stt.url,
        NGB_TRANSCRIPTION_API_KEY: stt.apiKey,
      },
      fakes: [fake, stt],
    }
  })

  dockerTest(
    'a photo reaches the agent as an image (one image block) and is in the workspace',
    async () => {
      const reply = await nextReply(() =>
        fake.injectFile({ chat: dm, from: user, kind: 'photo', bytes: PNG_1X1, caption: '/attachments' }),
      )
      expect(reply).toContain(`image "photo.jpg" image/png ${PNG_1X1.length} bytes present`)
      expect(reply).toContain('image blocks: 1')
      const stored = inboxFiles().filter((f) => f.endsWith('.png'))
      expect(stored.length).toBeGreaterThanOrEqual(1)
      expect(new Uint8Array(readFileSync(stored[0] ?? ''))).toEqual(PNG_1X1)
    },
    60_000,
  )

  dockerTest(
    'a photo without a caption still triggers the agent in a DM',
    async () => {
      const reply = await nextReply(() =>
        fake.injectFile({ chat: dm, from: user, kind: 'photo', bytes: PNG_1X1 }),
      )
      expect(reply).toContain('image blocks: 1')
    },
    60_000,
  )

  dockerTest(
    'a PDF reaches the agent as a file with its workspace path',
    async () => {
      const reply = await nextReply(() =>
        fake.injectFile({
          chat: dm,
          from: user,
          kind: 'document',
          bytes: PDF_SMALL,
          fileName: '../../etc/report.pdf',
          mimeType: 'application/pdf',
          caption: '/attachments',
        }),
      )
      expect(reply).toContain(
        `document "../../etc/report.pdf" application/pdf ${PDF_SMALL.length} bytes present`,
      )
      expect(reply).toContain('image blocks: 0')
      // The sender's name never becomes a path: the file has a generated name in the dated inbox.
      const pdfs = inboxFiles().filter((f) => f.endsWith('.pdf'))
      expect(pdfs).toHaveLength(1)
      expect(inboxFiles().filter((f) => f.endsWith('.png'))).toHaveLength(2)
      expect(pdfs[0]).toMatch(/inbox\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{16}\.pdf$/)
    },
    60_000,
  )

  dockerTest(
    'a file over the limit is refused with a message, and nothing is written (declared or streamed)',
    async () => {
      const before = inboxFiles().length
      const declared = await nextReply(() =>
        fake.injectFile({
          chat: dm,
          from: user,
          kind: 'document',
          bytes: bigPdf(LIMIT + 1),
          fileName: 'big.pdf',
        }),
      )
      expect(declared).toContain('"big.pdf"')
      expect(declared).toContain('over the 0.1 MB limit')
      const lying = await nextReply(() =>
        fake.injectFile({
          chat: dm,
          from: user,
          kind: 'document',
          bytes: bigPdf(LIMIT * 2),
          fileName: 'liar.pdf',
          declaredSize: 10,
        }),
      )
      expect(lying).toContain('"liar.pdf"')
      expect(lying).toContain('over the 0.1 MB limit')
      expect(inboxFiles().length).toBe(before)
      expect(fake.downloads.calls.length).toBeGreaterThanOrEqual(1)
    },
    60_000,
  )

  dockerTest(
    'a voice note is transcribed through the configured endpoint and the text reaches the agent',
    async () => {
      const reply = await nextReply(() =>
        fake.injectFile({ chat: dm, from: user, kind: 'voice', bytes: OGG_VOICE, caption: '/attachments' }),
      )
      expect(reply).toContain('voice "voice.ogg" audio/ogg')
      expect(reply).toContain('transcript="please summarise the report"')
      expect(stt.calls.calls.at(-1)?.authorized).toBe(true)
      // A failed transcription still delivers the file.
      stt.failNext()
      const failed = await nextReply(() =>
        fake.injectFile({ chat: dm, from: user, kind: 'voice', bytes: OGG_VOICE, caption: '/attachments' }),
      )
      expect(failed).toContain('voice "voice.ogg" audio/ogg')
      expect(failed).not.toContain('transcript=')
    },
    60_000,
  )

  dockerTest(
    "the agent's send_file of a PNG arrives as a photo; paths outside the workspace are refused and logged",
    async () => {
      mkdirSync(join(workspace, 'out'), { recursive: true })
      writeFileSync(join(workspace, 'out', 'chart.png'), PNG_1X1)
      writeFileSync(join(box.dataDir, 'secret.txt'), 'not for the chat')
      symlinkSync(join(box.dataDir, 'secret.txt'), join(workspace, 'out', 'link.png'))
      await nextReply(() =>
        fake.injectMessage({ chat: dm, from: user, text: '/sendfile out/chart.png the chart' }),
      )
      const upload = await fake.uploads
        .waitFor(() => true, 15_000, 'an upload')
        .catch((e) => {
          console.log(readFileSync(sandbox.logFile, 'utf8').slice(-3000))
          throw e
        })
      expect(upload.method).toBe('sendPhoto')
      expect(upload.bytes).toEqual(PNG_1X1)
      expect(upload.caption).toBe('the chart')
      for (const bad of ['../../secret.txt', join(box.dataDir, 'secret.txt'), 'out/link.png']) {
        await nextReply(() => fake.injectMessage({ chat: dm, from: user, text: `/sendfile ${bad}` }))
      }
      const logFile = sandbox.logFile
      await waitFor(
        () => (readFileSync(logFile, 'utf8').match(/send_file refused/g) ?? []).length >= 3,
        'three refusals in the log',
        15_000,
      )
      const log = readFileSync(logFile, 'utf8')
      expect(log).toContain('leaves the workspace')
      expect(log).toContain('is absolute')
      expect(log).toContain('resolves outside the workspace')
      expect(fake.uploads.calls).toHaveLength(1)
    },
    90_000,
  )
})
