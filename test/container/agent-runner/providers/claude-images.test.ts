import { describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { userMessage } from '../../../../container/agent-runner/providers/claude.ts'
import { IMAGE_BLOCK_MAX_BYTES } from '../../../../src/protocol/attachments.ts'
import { PNG_1X1 } from '../../../helpers/files.ts'
import { tempDir } from '../../../helpers/temp.ts'

describe('Claude provider: received images become image blocks', () => {
  const dir = tempDir()
  const png = join(dir, 'a.png')
  writeFileSync(png, PNG_1X1)
  const ref = {
    kind: 'image' as const,
    name: 'a.png',
    mimeType: 'image/png',
    size: PNG_1X1.length,
    path: png,
  }

  test('an image within the limits is a base64 block before the text', () => {
    const m = userMessage('look', [ref, { ...ref, kind: 'document', mimeType: 'application/pdf' }])
    const content = m.message.content
    if (typeof content === 'string') throw new Error('expected blocks')
    expect(content).toHaveLength(2)
    expect(content[0]).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: Buffer.from(PNG_1X1).toString('base64') },
    })
    expect(content[1]).toEqual({ type: 'text', text: 'look' })
  })

  test('too large, an unsupported type or no images: plain text (the prompt names the files)', () => {
    expect(userMessage('x', [{ ...ref, size: IMAGE_BLOCK_MAX_BYTES + 1 }]).message.content).toBe('x')
    expect(userMessage('x', [{ ...ref, mimeType: 'image/tiff' }]).message.content).toBe('x')
    expect(userMessage('x').message.content).toBe('x')
  })
})
