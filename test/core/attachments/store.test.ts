import { describe, expect, test } from 'bun:test'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { createAttachmentStore } from '../../../src/core/attachments/store.ts'
import type { InboundAttachment } from '../../../src/core/channel/channel.ts'
import { bigPdf, PDF_SMALL, PNG_1X1 } from '../../helpers/files.ts'
import { tempDir } from '../../helpers/temp.ts'

const DAY = Date.UTC(2026, 11, 6, 12)

function setup(opts: { maxBytes?: number; quotaBytes?: number } = {}) {
  const groupsDir = tempDir()
  mkdirSync(join(groupsDir, 'g'))
  const store = createAttachmentStore({
    groupsDir,
    maxBytes: opts.maxBytes ?? 1024,
    quotaBytes: opts.quotaBytes ?? 10_000,
    clock: { now: () => DAY },
  })
  return { groupsDir, store, inbox: join(groupsDir, 'g', 'inbox', '2026-12-06') }
}

/** An attachment whose body is streamed in chunks, with a declared size that may lie. */
function file(
  bytes: Uint8Array,
  o: Partial<InboundAttachment> & { contentLength?: boolean } = {},
): InboundAttachment {
  let opened = 0
  return {
    kind: 'document',
    name: 'x',
    size: bytes.length,
    ...o,
    async open() {
      opened++
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.subarray(i, i + 100))
          c.close()
        },
      })
      return new Response(body, {
        headers: o.contentLength ? { 'content-length': String(bytes.length) } : {},
      })
    },
    get opened() {
      return opened
    },
  } as InboundAttachment
}

describe('attachment store', () => {
  test('stores under inbox/<day>/<generated>.<sniffed ext> and records name, type, size, path', async () => {
    const { store, inbox } = setup()
    const r = await store.save('g', file(PNG_1X1, { kind: 'image', name: '../../evil.exe' }))
    if (!r.ok) throw new Error(r.message)
    expect(r.attachment).toMatchObject({ kind: 'image', name: '../../evil.exe', mimeType: 'image/png' })
    expect(r.attachment.size).toBe(PNG_1X1.length)
    expect(r.attachment.path).toMatch(/^inbox\/2026-12-06\/[0-9a-f]{16}\.png$/)
    expect(readdirSync(inbox)).toHaveLength(1)
  })

  test('a "photo" that is not an image is passed on as a document, by content', async () => {
    const { store } = setup()
    const r = await store.save('g', file(PDF_SMALL, { kind: 'image', mimeType: 'image/jpeg' }))
    expect(r.ok && r.attachment).toMatchObject({ kind: 'document', mimeType: 'application/pdf' })
  })

  test('over the limit by declared size: refused without downloading', async () => {
    const { store, inbox } = setup()
    const f = file(bigPdf(2000))
    const r = await store.save('g', f)
    expect(r).toMatchObject({ ok: false, reason: 'too_large' })
    expect((f as unknown as { opened: number }).opened).toBe(0)
    expect(existsSync(inbox)).toBe(false)
  })

  test('over the limit while streaming (lying size): cut off, nothing left behind', async () => {
    const { store, inbox } = setup()
    const r = await store.save('g', file(bigPdf(5000), { size: 10 }))
    expect(r).toMatchObject({ ok: false, reason: 'too_large' })
    expect(readdirSync(inbox)).toEqual([])
  })

  test('over the limit by Content-Length: refused before reading the body', async () => {
    const { store } = setup()
    const r = await store.save('g', file(bigPdf(5000), { size: undefined, contentLength: true }))
    expect(r).toMatchObject({ ok: false, reason: 'too_large' })
  })

  test('the per-group quota counts what the inbox holds', async () => {
    const { store } = setup({ maxBytes: 1000, quotaBytes: 1200 })
    expect((await store.save('g', file(bigPdf(900)))).ok).toBe(true)
    const r = await store.save('g', file(bigPdf(900), { size: undefined }))
    expect(r).toMatchObject({ ok: false, reason: 'quota' })
  })

  test('an inbox replaced by a symlink is not followed: it is re-created as a real folder (safe-fs)', async () => {
    const { store, groupsDir } = setup()
    const outside = tempDir()
    symlinkSync(outside, join(groupsDir, 'g', 'inbox'))
    const r = await store.save('g', file(PNG_1X1))
    if (!r.ok) throw new Error(r.message)
    expect(readdirSync(outside)).toEqual([])
    expect(lstatSync(join(groupsDir, 'g', 'inbox')).isDirectory()).toBe(true)
    expect(new Uint8Array(readFileSync(join(groupsDir, 'g', r.attachment.path)))).toEqual(PNG_1X1)
  })

  test('a failed download is reported, not thrown', async () => {
    const { store } = setup()
    const r = await store.save('g', {
      kind: 'document',
      open: async () => new Response('gone', { status: 404 }),
    })
    expect(r).toMatchObject({ ok: false, reason: 'failed' })
    expect(r.ok || r.message).toContain('HTTP 404')
  })

  test('the stored bytes are the downloaded bytes', async () => {
    const { store, groupsDir } = setup()
    const r = await store.save('g', file(PDF_SMALL))
    if (!r.ok) throw new Error(r.message)
    expect(new Uint8Array(readFileSync(join(groupsDir, 'g', r.attachment.path)))).toEqual(PDF_SMALL)
  })
})
