import type { Recorder } from './recorder.ts'
import { createRecorder } from './recorder.ts'

/**
 * A local OpenAI-compatible speech-to-text API: `POST /v1/audio/transcriptions` (multipart, `file`
 * and `model`, Bearer key) answers `{ text }`. `failNext()` makes the next call a 500.
 */
export interface TranscriptionCall {
  model: string
  fileName: string
  bytes: number
  authorized: boolean
}

export interface TranscriptionFake {
  /** Base URL to configure (…/v1). */
  url: string
  apiKey: string
  calls: Recorder<TranscriptionCall>
  failNext(): void
  stop(): Promise<void>
}

export function startTranscriptionFake(opts: { text: string; apiKey?: string }): TranscriptionFake {
  const apiKey = opts.apiKey ?? 'sk-test-transcribe'
  const calls = createRecorder<TranscriptionCall>()
  let failures = 0
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      if (req.method !== 'POST' || new URL(req.url).pathname !== '/v1/audio/transcriptions')
        return Response.json({ error: { message: 'not found' } }, { status: 404 })
      const authorized = req.headers.get('authorization') === `Bearer ${apiKey}`
      const form = await req.formData()
      const file = form.get('file')
      calls.record({
        model: String(form.get('model') ?? ''),
        fileName: file instanceof File ? file.name : '',
        bytes: file instanceof Blob ? file.size : 0,
        authorized,
      })
      if (!authorized) return Response.json({ error: { message: 'Incorrect API key' } }, { status: 401 })
      if (!(file instanceof Blob))
        return Response.json({ error: { message: 'file is required' } }, { status: 400 })
      if (failures > 0) {
        failures--
        return Response.json({ error: { message: 'server error' } }, { status: 500 })
      }
      return Response.json({ text: opts.text })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    apiKey,
    calls,
    failNext() {
      failures++
    },
    stop: () => server.stop(true),
  }
}
