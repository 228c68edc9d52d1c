import * as v from 'valibot'
import type { OutputFrame } from '../../protocol/container.ts'
import { OUTPUT_END, OUTPUT_START, OutputFrameSchema } from '../../protocol/container.ts'
import { ContainerError } from '../errors.ts'

export interface FrameParserOptions {
  /** Cap on all bytes read from the container's stdout; beyond it `push` throws. */
  maxBytes: number
  onFrame(frame: OutputFrame): void
  /** A marked frame whose body is not a valid frame (bad JSON or unknown shape). */
  onInvalid?(body: string, reason: string): void
  /** Text outside any frame (agent logs, tool noise). */
  onJunk?(text: string): void
}

export interface FrameParser {
  /** Feeds one chunk of stdout. Throws ContainerError('output_too_large') past the cap. */
  push(chunk: Uint8Array | string): void
  /** Ends the stream; reports whether a frame was left open (the container died mid-frame). */
  end(): { truncated: boolean; bytes: number }
  readonly bytes: number
}

/**
 * Streaming parser for frames between OUTPUT_START and OUTPUT_END. Chunks may split anywhere,
 * including inside a marker or a multi-byte character; text between frames is junk, not an error.
 */
export function createFrameParser(opts: FrameParserOptions): FrameParser {
  const decoder = new TextDecoder()
  let buffer = ''
  let inFrame = false
  let bytes = 0

  const junk = (text: string) => {
    if (text.trim() !== '') opts.onJunk?.(text)
  }

  const emit = (body: string) => {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch (error) {
      opts.onInvalid?.(body, `not JSON: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    const parsed = v.safeParse(OutputFrameSchema, json)
    if (parsed.success) opts.onFrame(parsed.output)
    else opts.onInvalid?.(body, parsed.issues[0].message)
  }

  const drain = () => {
    for (;;) {
      if (!inFrame) {
        const start = buffer.indexOf(OUTPUT_START)
        if (start === -1) {
          // Keep a tail that could be the beginning of a marker split across chunks.
          const keep = OUTPUT_START.length - 1
          if (buffer.length > keep) {
            junk(buffer.slice(0, buffer.length - keep))
            buffer = buffer.slice(buffer.length - keep)
          }
          return
        }
        junk(buffer.slice(0, start))
        buffer = buffer.slice(start + OUTPUT_START.length)
        inFrame = true
      }
      const end = buffer.indexOf(OUTPUT_END)
      const restart = buffer.indexOf(OUTPUT_START)
      // A new start marker before this frame's end: the agent died mid-frame and a new one began.
      if (restart !== -1 && (end === -1 || restart < end)) {
        opts.onInvalid?.(buffer.slice(0, restart), 'a frame was cut off by the next start marker')
        buffer = buffer.slice(restart)
        inFrame = false
        continue
      }
      if (end === -1) return
      emit(buffer.slice(0, end).trim())
      buffer = buffer.slice(end + OUTPUT_END.length)
      inFrame = false
    }
  }

  return {
    push(chunk) {
      const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true })
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
      if (bytes > opts.maxBytes) {
        throw new ContainerError(
          'output_too_large',
          `the agent wrote more than ${opts.maxBytes} bytes to stdout; raise NGB_MAX_OUTPUT_BYTES if this is expected`,
        )
      }
      buffer += text
      drain()
    },
    end() {
      buffer += decoder.decode()
      drain()
      const truncated = inFrame
      if (truncated) opts.onInvalid?.(buffer, 'the output ended inside a frame (no end marker)')
      else junk(buffer)
      buffer = ''
      inFrame = false
      return { truncated, bytes }
    },
    get bytes() {
      return bytes
    },
  }
}
