/**
 * A fake of the Anthropic Messages API on 127.0.0.1:0, enough for the real Claude Code CLI (driven by
 * the Claude Agent SDK) to run turns offline: streaming SSE and plain JSON replies, count_tokens,
 * Anthropic-shaped errors. Every request is recorded for assertions.
 *
 * Default script (by the last user message):
 * - it carries a tool_result → answer `fake: tool result received`;
 * - its text contains `run bash: <cmd>` → a `tool_use` of Bash running <cmd>;
 * - `send message: <text>` → a `tool_use` of `mcp__ngb__send_message` with that text;
 * - `call tool <name> <json>` → a `tool_use` of any tool with that input;
 * - `fail auth` / `fail rate` / `fail overloaded` → the matching API error;
 * - `slow <ms>` anywhere → the reply (as above) comes after <ms> milliseconds;
 * - anything else → `fake: <the text>`.
 *
 * Every reply reports the same `usage` (FAKE_USAGE unless given), so a test can compute what a turn
 * costs from the number of requests.
 */

export interface RecordedRequest {
  method: string
  /** Path without the query string, e.g. /v1/messages */
  path: string
  search: string
  headers: Record<string, string>
  rawBody: string
  body: unknown
}

export interface MessageParamLike {
  role: string
  content: string | Array<Record<string, unknown>>
}

export interface MessagesRequestLike {
  model?: string
  stream?: boolean
  messages: MessageParamLike[]
}

export type FakeReply =
  | { kind: 'text'; text: string }
  | { kind: 'tool_use'; name: string; input: Record<string, unknown>; text?: string }
  | { kind: 'error'; status: number; errorType: string; message: string }

export type FakeScript = (req: MessagesRequestLike) => FakeReply

/** The Messages API's usage block: all four kinds of tokens, as the real API reports them. */
export interface FakeUsage {
  input_tokens: number
  output_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
}

export const FAKE_USAGE: FakeUsage = {
  input_tokens: 1200,
  output_tokens: 80,
  cache_creation_input_tokens: 300,
  cache_read_input_tokens: 2000,
}

export interface FakeAnthropic {
  url: string
  requests: RecordedRequest[]
  /** Bodies of the POST /v1/messages requests, in order. */
  messageBodies(): MessagesRequestLike[]
  stop(): Promise<void>
}

const encoder = new TextEncoder()

export function createFakeAnthropic(opts: { script?: FakeScript; usage?: FakeUsage } = {}): FakeAnthropic {
  const script = opts.script ?? defaultScript
  const usage = opts.usage ?? FAKE_USAGE
  const requests: RecordedRequest[] = []
  let seq = 0

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const url = new URL(req.url)
      const rawBody = req.method === 'GET' || req.method === 'HEAD' ? '' : await req.text()
      const headers: Record<string, string> = {}
      req.headers.forEach((v, k) => {
        headers[k] = v
      })
      const body = parseJson(rawBody)
      requests.push({ method: req.method, path: url.pathname, search: url.search, headers, rawBody, body })

      if (req.method === 'POST' && url.pathname === '/v1/messages/count_tokens') {
        return Response.json({ input_tokens: Math.ceil(rawBody.length / 4) })
      }
      if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
        return apiError(404, 'not_found_error', `${req.method} ${url.pathname} is not served by the fake`)
      }
      const parsed = asMessagesRequest(body)
      if (!parsed) return apiError(400, 'invalid_request_error', 'messages: field required')
      const reply = script(parsed)
      const slow = lastToolResults(parsed).length === 0 ? /slow (\d+)/.exec(lastUserText(parsed)) : null
      if (slow?.[1]) await Bun.sleep(Number(slow[1]))
      if (reply.kind === 'error') return apiError(reply.status, reply.errorType, reply.message)
      seq += 1
      const model = parsed.model ?? 'claude-sonnet-4-5'
      const message = buildMessage(`msg_fake_${seq}`, model, reply, seq, usage)
      if (parsed.stream) return sse(message)
      return Response.json(message)
    },
  })

  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    messageBodies: () =>
      requests
        .filter((r) => r.method === 'POST' && r.path === '/v1/messages')
        .map((r) => asMessagesRequest(r.body))
        .filter((b): b is MessagesRequestLike => b !== undefined),
    stop: async () => {
      await server.stop(true)
    },
  }
}

/** The CLI may append a role "system" message after the user's, so search from the end. */
function lastUserMessage(req: MessagesRequestLike): MessageParamLike | undefined {
  return req.messages.findLast((m) => m.role === 'user')
}

/** The text of the last user message, ignoring the CLI's <system-reminder> blocks. */
export function lastUserText(req: MessagesRequestLike): string {
  const last = lastUserMessage(req)
  if (!last) return ''
  if (typeof last.content === 'string') return last.content
  const texts = last.content
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => String(b.text))
    .filter((t) => !t.trimStart().startsWith('<system-reminder>'))
  return texts.join('\n')
}

/** The tool_result blocks of the last user message (empty when it has none). */
export function lastToolResults(req: MessagesRequestLike): Array<Record<string, unknown>> {
  const last = lastUserMessage(req)
  if (!last || typeof last.content === 'string') return []
  return last.content.filter((b) => b.type === 'tool_result')
}

/** A tool_result's content as plain text (string content or its text blocks). */
export function toolResultText(block: Record<string, unknown>): string {
  const c = block.content
  if (typeof c === 'string') return c
  if (Array.isArray(c)) {
    return c
      .map((b: unknown) =>
        typeof b === 'object' && b !== null && 'text' in b && typeof b.text === 'string' ? b.text : '',
      )
      .join('')
  }
  return ''
}

export function defaultScript(req: MessagesRequestLike): FakeReply {
  if (lastToolResults(req).length > 0) return { kind: 'text', text: 'fake: tool result received' }
  const text = lastUserText(req)
  const bash = /run bash: (.+)$/m.exec(text)
  if (bash?.[1]) return { kind: 'tool_use', name: 'Bash', input: { command: bash[1], description: 'fake' } }
  const send = /send message: (.+)$/m.exec(text)
  if (send?.[1]) return { kind: 'tool_use', name: 'mcp__ngb__send_message', input: { text: send[1] } }
  const call = /call tool (\S+) (\{.*\})$/m.exec(text)
  if (call?.[1] && call[2]) {
    const input = parseJson(call[2])
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      return { kind: 'tool_use', name: call[1], input: { ...input } }
    }
  }
  if (text.includes('fail auth')) {
    return { kind: 'error', status: 401, errorType: 'authentication_error', message: 'invalid x-api-key' }
  }
  if (text.includes('fail rate')) {
    return { kind: 'error', status: 429, errorType: 'rate_limit_error', message: 'rate limited' }
  }
  if (text.includes('fail overloaded')) {
    return { kind: 'error', status: 529, errorType: 'overloaded_error', message: 'overloaded' }
  }
  return { kind: 'text', text: `fake: ${text.trim()}` }
}

type Block =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }

interface FakeMessage {
  id: string
  type: 'message'
  role: 'assistant'
  model: string
  content: Block[]
  stop_reason: 'end_turn' | 'tool_use'
  stop_sequence: null
  usage: FakeUsage
}

function buildMessage(
  id: string,
  model: string,
  reply: Exclude<FakeReply, { kind: 'error' }>,
  seq: number,
  usage: FakeUsage,
): FakeMessage {
  const content: Block[] = []
  if (reply.kind === 'text') content.push({ type: 'text', text: reply.text })
  else {
    if (reply.text) content.push({ type: 'text', text: reply.text })
    content.push({ type: 'tool_use', id: `toolu_fake_${seq}`, name: reply.name, input: reply.input })
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: reply.kind === 'tool_use' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage,
  }
}

/** The event sequence of a streamed message (message_start … message_stop), as the API sends it. */
function sse(message: FakeMessage): Response {
  const events: Array<[string, unknown]> = [
    [
      'message_start',
      {
        type: 'message_start',
        // Like the API: the start event has the input side and 1 output token; the delta the total.
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { ...message.usage, output_tokens: 1 },
        },
      },
    ],
    ['ping', { type: 'ping' }],
  ]
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      events.push([
        'content_block_start',
        { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
      ])
      for (const part of chunks(block.text, 16)) {
        events.push([
          'content_block_delta',
          { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } },
        ])
      }
    } else {
      events.push([
        'content_block_start',
        {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        },
      ])
      for (const part of chunks(JSON.stringify(block.input), 24)) {
        events.push([
          'content_block_delta',
          { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } },
        ])
      }
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index }])
  })
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: message.stop_reason, stop_sequence: null },
      usage: { output_tokens: message.usage.output_tokens },
    },
  ])
  events.push(['message_stop', { type: 'message_stop' }])
  const text = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('')
  return new Response(encoder.encode(text), {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': 'req_fake' },
  })
}

function chunks(s: string, size: number): string[] {
  if (s.length === 0) return ['']
  const out: string[] = []
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size))
  return out
}

function apiError(status: number, type: string, message: string): Response {
  // x-should-retry: false keeps the client from retrying a scripted failure for minutes.
  return Response.json(
    { type: 'error', error: { type, message } },
    { status, headers: { 'x-should-retry': 'false', 'request-id': 'req_fake_error' } },
  )
}

function parseJson(s: string): unknown {
  if (s === '') return undefined
  try {
    return JSON.parse(s)
  } catch {
    return undefined
  }
}

function asMessagesRequest(body: unknown): MessagesRequestLike | undefined {
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) {
    return undefined
  }
  const model = 'model' in body && typeof body.model === 'string' ? body.model : undefined
  const stream = 'stream' in body && body.stream === true
  return { model, stream, messages: body.messages }
}
