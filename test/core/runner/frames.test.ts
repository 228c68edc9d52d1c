import { describe, expect, test } from 'bun:test'
import { ContainerError } from '../../../src/core/errors.ts'
import { createFrameParser } from '../../../src/core/runner/frames.ts'
import type { OutputFrame } from '../../../src/protocol/container.ts'
import { formatFrame, OUTPUT_END, OUTPUT_START } from '../../../src/protocol/container.ts'

function collect(maxBytes = 1024 * 1024) {
  const frames: OutputFrame[] = []
  const invalid: string[] = []
  const junk: string[] = []
  const parser = createFrameParser({
    maxBytes,
    onFrame: (f) => frames.push(f),
    onInvalid: (_body, reason) => invalid.push(reason),
    onJunk: (t) => junk.push(t),
  })
  return { parser, frames, invalid, junk }
}

const result = (text: string): OutputFrame => ({ type: 'result', text })

describe('frame parser', () => {
  test('parses whole frames in order', () => {
    const { parser, frames } = collect()
    parser.push(formatFrame(result('a')) + formatFrame({ type: 'session', sessionId: 's1' }))
    expect(parser.end().truncated).toBe(false)
    expect(frames).toEqual([result('a'), { type: 'session', sessionId: 's1' }])
  })

  test('reassembles a frame split at every possible byte boundary', () => {
    const text = `noise ${formatFrame(result('héllo wörld ✓'))}tail`
    const bytes = new TextEncoder().encode(text)
    for (let cut = 1; cut < bytes.length; cut++) {
      const { parser, frames } = collect()
      parser.push(bytes.slice(0, cut))
      parser.push(bytes.slice(cut))
      parser.end()
      expect(frames).toEqual([result('héllo wörld ✓')])
    }
  })

  test('feeds one byte at a time', () => {
    const { parser, frames } = collect()
    const bytes = new TextEncoder().encode(formatFrame(result('x')) + formatFrame(result('y')))
    for (const b of bytes) parser.push(new Uint8Array([b]))
    parser.end()
    expect(frames.map((f) => (f.type === 'result' ? f.text : ''))).toEqual(['x', 'y'])
  })

  test('reports junk between frames without failing', () => {
    const { parser, frames, junk } = collect()
    parser.push(`warning: something\n${formatFrame(result('1'))}npm notice blah\n${formatFrame(result('2'))}`)
    parser.end()
    expect(frames).toHaveLength(2)
    expect(junk.join('')).toContain('warning: something')
    expect(junk.join('')).toContain('npm notice blah')
  })

  test('reports invalid JSON and unknown frame types, then keeps going', () => {
    const { parser, frames, invalid } = collect()
    parser.push(`${OUTPUT_START}\n{not json\n${OUTPUT_END}\n`)
    parser.push(`${OUTPUT_START}\n{"type":"bogus"}\n${OUTPUT_END}\n`)
    parser.push(formatFrame(result('ok')))
    parser.end()
    expect(invalid).toHaveLength(2)
    expect(frames).toEqual([result('ok')])
  })

  test('a truncated final frame is reported, not delivered', () => {
    const { parser, frames, invalid } = collect()
    parser.push(formatFrame(result('done')))
    parser.push(`${OUTPUT_START}\n{"type":"result","text":"half`)
    expect(parser.end().truncated).toBe(true)
    expect(frames).toEqual([result('done')])
    expect(invalid[0]).toContain('ended inside a frame')
  })

  test('a frame cut off by a new start marker is dropped and the next one parsed', () => {
    const { parser, frames, invalid } = collect()
    parser.push(`${OUTPUT_START}\n{"type":"res${formatFrame(result('next'))}`)
    parser.end()
    expect(frames).toEqual([result('next')])
    expect(invalid[0]).toContain('cut off')
  })

  test('throws output_too_large past the cap, counting bytes not characters', () => {
    const { parser } = collect(2048)
    parser.push('é'.repeat(1000))
    let caught: unknown
    try {
      parser.push('é'.repeat(100))
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(ContainerError)
    expect((caught as ContainerError).failure).toBe('output_too_large')
  })
})
