import { basename } from 'node:path'
import * as v from 'valibot'

export interface Transcriber {
  transcribe(path: string, mimeType: string): Promise<string>
}

export interface TranscriberDeps {
  /** Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1; `/audio/transcriptions` is appended. */
  url: string
  apiKey?: string
  model?: string
  timeoutMs?: number
  fetch?: typeof fetch
}

const ResponseSchema = v.object({ text: v.string() })

/** Speech to text through an OpenAI-compatible `/audio/transcriptions` endpoint (multipart upload). */
export function createTranscriber(deps: TranscriberDeps): Transcriber {
  const doFetch = deps.fetch ?? fetch
  const endpoint = `${deps.url.replace(/\/+$/, '')}/audio/transcriptions`
  return {
    async transcribe(path, mimeType) {
      const form = new FormData()
      form.append('file', new File([await Bun.file(path).arrayBuffer()], basename(path), { type: mimeType }))
      form.append('model', deps.model ?? 'whisper-1')
      form.append('response_format', 'json')
      const res = await doFetch(endpoint, {
        method: 'POST',
        headers: deps.apiKey ? { authorization: `Bearer ${deps.apiKey}` } : {},
        body: form,
        signal: AbortSignal.timeout(deps.timeoutMs ?? 60_000),
      })
      if (!res.ok) throw new Error(`transcription endpoint answered HTTP ${res.status}`)
      const parsed = v.safeParse(ResponseSchema, await res.json())
      if (!parsed.success) throw new Error('transcription endpoint answered without a "text" field')
      return parsed.output.text.trim()
    },
  }
}
