import { expect } from 'bun:test'
import { symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Recorder } from '../../fakes/recorder.ts'
import { bigPdf, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { type AttachmentsSandbox, LIMIT, waitForLog } from './harness.ts'

/** One file as a platform fake injects it: `text` is the message it comes with (none: a bare file). */
export interface InjectedFile {
  name: string
  bytes: Uint8Array
  type: string
  declaredSize?: number
  text?: string
}

/**
 * Files in, for platforms that carry a file with a message (Discord, Slack): an image and a PDF reach
 * the agent, a file over the limit (whatever size it declares) is refused and nothing is written.
 */
export async function expectFilesIn(
  sandbox: AttachmentsSandbox,
  nextReply: (send: () => void) => Promise<string>,
  injectFile: (file: InjectedFile) => void,
): Promise<void> {
  const { inboxFiles } = sandbox
  const image = await nextReply(() =>
    injectFile({ name: 'shot.png', bytes: PNG_1X1, type: 'image/png', text: '/attachments' }),
  )
  expect(image).toContain(`image "shot.png" image/png ${PNG_1X1.length} bytes present; image blocks: 1`)
  const pdf = await nextReply(() =>
    injectFile({ name: 'report.pdf', bytes: PDF_SMALL, type: 'application/pdf', text: '/attachments' }),
  )
  expect(pdf).toContain(`document "report.pdf" application/pdf ${PDF_SMALL.length} bytes present`)
  expect(
    inboxFiles()
      .map((f) => f.slice(-4))
      .sort(),
  ).toEqual(['.pdf', '.png'])
  const big = await nextReply(() =>
    injectFile({ name: 'big.pdf', bytes: bigPdf(LIMIT * 2), type: 'application/pdf', declaredSize: 100 }),
  )
  expect(big).toContain('"big.pdf"')
  expect(big).toContain('over the 0.1 MB limit')
  expect(inboxFiles()).toHaveLength(2)
}

/**
 * A file out: the agent's send_file of chart.png arrives as one upload (checked by `expectUpload`),
 * and a symlink out of the workspace is refused in the log with no second upload.
 */
export async function expectSendFile<U extends { bytes: Uint8Array }>(
  sandbox: AttachmentsSandbox,
  nextReply: (send: () => void) => Promise<string>,
  say: (text: string) => void,
  uploads: Recorder<U>,
  expectUpload: (upload: U) => void,
): Promise<void> {
  writeFileSync(join(sandbox.workspace, 'chart.png'), PNG_1X1)
  symlinkSync('/etc/hostname', join(sandbox.workspace, 'host.png'))
  await nextReply(() => say('/sendfile chart.png the chart'))
  const upload = await uploads.waitFor(() => true, 15_000, 'an upload')
  expectUpload(upload)
  expect(upload.bytes).toEqual(PNG_1X1)
  await nextReply(() => say('/sendfile host.png'))
  await waitForLog(sandbox.logFile, 'resolves outside the workspace', 'the refusal in the log')
  expect(uploads.calls).toHaveLength(1)
}
