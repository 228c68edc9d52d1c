import type { Server } from 'bun'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder, readBody } from './recorder.ts'

/**
 * A local Telegram Bot API (`POST /bot<token>/<method>`): getMe, deleteWebhook, getUpdates as a
 * real long poll honouring `offset` and `timeout`, sendMessage (with Telegram's HTML entity check
 * and 4096-character limit), sendChatAction. Errors use Telegram's `{ok:false, error_code, …}`.
 */

export interface TelegramCall {
  method: string
  token: string
  body: Record<string, unknown>
  /** HTTP status the fake answered with. */
  status: number
  at: number
}

export interface TelegramUser {
  id: number
  first_name: string
  username?: string
  is_bot?: boolean
}

export interface TelegramChat {
  id: number
  type: 'private' | 'group' | 'supergroup'
  title?: string
  first_name?: string
  is_forum?: boolean
}

export interface InjectMessage {
  chat: TelegramChat
  from: TelegramUser
  text: string
  entities?: { type: string; offset: number; length: number; user?: TelegramUser }[]
  topicId?: number
  replyTo?: { message_id: number; from: TelegramUser }
}

/** A file a test user sends: the fake serves it through getFile and the file endpoint. */
export interface InjectFile {
  chat: TelegramChat
  from: TelegramUser
  kind: 'photo' | 'document' | 'voice' | 'audio' | 'video'
  bytes: Uint8Array
  fileName?: string
  mimeType?: string
  caption?: string
  /** The size Telegram declares (defaults to the real length); a lie tests the streamed check. */
  declaredSize?: number
}

/** A file the bot uploaded with sendPhoto/sendDocument. */
export interface TelegramUpload {
  method: string
  chatId: string
  name: string
  bytes: Uint8Array
  caption?: string
}

export interface TelegramFake {
  apiRoot: string
  token: string
  bot: { id: number; username: string }
  calls: Recorder<TelegramCall>
  /** Queues a message update; returns its message_id. */
  injectMessage(m: InjectMessage): number
  /** Queues a message carrying a file (photo sizes, document, voice…); returns its message_id. */
  injectFile(f: InjectFile): number
  uploads: Recorder<TelegramUpload>
  /** Downloads served from the file endpoint (file paths). */
  downloads: Recorder<string>
  /** Queues the update carrying `messageId` again under a new update_id, as after an unconfirmed offset. */
  redeliver(messageId: number): void
  failNext(method: string, failure: FailureKind): void
  /** Every call of `method` answers 502 for the next `ms` milliseconds (an API outage). */
  outage(method: string, ms: number): void
  /** The webhook set with setWebhook, if any: updates are then POSTed there instead of polled. */
  webhook(): { url: string; secret?: string } | undefined
  /** Webhook POSTs the fake made, with the status our server answered (0 = unreachable). */
  deliveries: Recorder<{ updateId: number; status: number }>
  /** Closes every open connection once a getUpdates poll is held, as a network drop would. */
  dropConnections(): Promise<void>
  stop(): Promise<void>
}

const ALLOWED_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-spoiler',
  'span',
  'tg-emoji',
])

/** Mirrors the Bot API: unknown or unbalanced tags are a 400; the limit applies to the visible text. */
export function checkTelegramHtml(
  html: string,
): { ok: true; visible: string } | { ok: false; error: string } {
  const stack: string[] = []
  for (const m of html.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    const [, closing, tag = ''] = m
    if (!ALLOWED_TAGS.has(tag)) return { ok: false, error: `Unsupported start tag "${tag}"` }
    if (!closing) stack.push(tag)
    else if (stack.pop() !== tag) return { ok: false, error: `Unmatched end tag "${tag}"` }
  }
  if (stack.length)
    return { ok: false, error: `Can't find end tag corresponding to start tag "${stack.at(-1)}"` }
  if (/&(?!lt;|gt;|amp;|quot;|#\d+;)/.test(html.replace(/<[^>]*>/g, '')))
    return { ok: false, error: 'Unsupported HTML entity' }
  const visible = html.replace(/<[^>]+>/g, '').replace(/&lt;|&gt;|&quot;|&amp;|&#\d+;/g, 'x')
  return { ok: true, visible }
}

export function startTelegramFake(opts: { token?: string } = {}): TelegramFake {
  const token = opts.token ?? '123456:TEST-token'
  const bot = { id: 999_000, username: 'ngb_test_bot' }
  const calls = createRecorder<TelegramCall>()
  const updates: { update_id: number; message: Record<string, unknown> }[] = []
  const sentMessages = new Map<number, Record<string, unknown>>()
  const injected = new Map<number, Record<string, unknown>>()
  const failures = new Map<string, FailureKind[]>()
  const outages = new Map<string, number>()
  let nextUpdateId = 1000
  let nextMessageId = 1
  let pollWaiters = new Set<() => void>()
  let webhook: { url: string; secret?: string } | undefined
  const deliveries = createRecorder<{ updateId: number; status: number }>()
  const files = new Map<string, { bytes: Uint8Array; path: string; declared: number }>()
  const uploads = createRecorder<TelegramUpload>()
  const downloads = createRecorder<string>()
  let nextFileId = 1

  async function upload(method: string, req: Request): Promise<Response> {
    const form = await req.formData()
    const field = method === 'sendPhoto' ? 'photo' : 'document'
    // Clients send the file inline or as `attach://<name>` naming another part, as the Bot API allows.
    const given = form.get(field)
    const file = typeof given === 'string' && given.startsWith('attach://') ? form.get(given.slice(9)) : given
    if (!(file instanceof Blob)) return fail(400, `Bad Request: there is no ${field} in the request`)
    const limit = method === 'sendPhoto' ? 10 * 1024 * 1024 : 50 * 1024 * 1024
    if (file.size > limit) return fail(413, 'Request Entity Too Large')
    const chatId = String(form.get('chat_id'))
    const caption = form.get('caption')
    uploads.record({
      method,
      chatId,
      name: file instanceof File ? file.name : '',
      bytes: new Uint8Array(await file.arrayBuffer()),
      caption: typeof caption === 'string' ? caption : undefined,
    })
    const message = {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatId), type: Number(chatId) > 0 ? 'private' : 'supergroup' },
      from: { id: bot.id, is_bot: true, first_name: 'Test', username: bot.username },
      ...(method === 'sendPhoto'
        ? { photo: [{ file_id: 'sent', file_unique_id: 'sent', width: 1, height: 1 }] }
        : { document: { file_id: 'sent', file_unique_id: 'sent' } }),
    }
    return ok(message)
  }

  function serveFile(path: string): Response {
    const file = [...files.values()].find((f) => f.path === path)
    if (!file) return new Response('Not Found', { status: 404 })
    downloads.record(path)
    return new Response(new Uint8Array(file.bytes), {
      headers: { 'content-type': 'application/octet-stream' },
    })
  }

  /** Telegram's side of a webhook: POST each update, retry a few times when our server fails. */
  async function post(update: { update_id: number; message: Record<string, unknown> }) {
    for (let attempt = 0; attempt < 20; attempt++) {
      // The current webhook each time: a restarted bot sets a new secret.
      const target = webhook
      if (!target) return
      const status = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(target.secret ? { 'x-telegram-bot-api-secret-token': target.secret } : {}),
        },
        body: JSON.stringify(update),
      }).then(
        (r) => r.status,
        () => 0,
      )
      deliveries.record({ updateId: update.update_id, status })
      if (status === 200) return
      await Bun.sleep(100)
    }
  }
  function enqueue(update: { update_id: number; message: Record<string, unknown> }) {
    if (webhook) void post(update)
    else updates.push(update)
    wake()
  }
  let server: Server<undefined>

  const wake = () => {
    for (const w of pollWaiters) w()
  }
  const ok = (result: unknown) => Response.json({ ok: true, result })
  const fail = (status: number, description: string, parameters?: Record<string, unknown>) =>
    Response.json({ ok: false, error_code: status, description, parameters }, { status })

  async function getUpdates(body: Record<string, unknown>, signal: AbortSignal): Promise<Response> {
    const offset = typeof body.offset === 'number' ? body.offset : 0
    // Updates below the offset are confirmed and forgotten, as on the real server.
    while (updates.length && (updates[0]?.update_id ?? 0) < offset) updates.shift()
    const timeoutMs = (typeof body.timeout === 'number' ? body.timeout : 0) * 1000
    if (!updates.length && timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs)
        function done() {
          clearTimeout(timer)
          pollWaiters.delete(done)
          resolve()
        }
        pollWaiters.add(done)
        signal.addEventListener('abort', done, { once: true })
      })
    }
    const limit = typeof body.limit === 'number' ? body.limit : 100
    return ok(updates.slice(0, limit))
  }

  function sendMessage(body: Record<string, unknown>): Response {
    const text = String(body.text ?? '')
    let visible = text
    if (body.parse_mode === 'HTML') {
      const check = checkTelegramHtml(text)
      if (!check.ok) return fail(400, `Bad Request: can't parse entities: ${check.error}`)
      visible = check.visible
    }
    if (visible.length === 0) return fail(400, 'Bad Request: message text is empty')
    if (visible.length > 4096) return fail(400, 'Bad Request: message is too long')
    const message = {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: body.chat_id, type: Number(body.chat_id) > 0 ? 'private' : 'supergroup' },
      from: { id: bot.id, is_bot: true, first_name: 'Test', username: bot.username },
      text: visible,
      message_thread_id: body.message_thread_id,
    }
    sentMessages.set(message.message_id, message)
    return ok(message)
  }

  async function handle(req: Request): Promise<Response> {
    const pathname = new URL(req.url).pathname
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(pathname)
    if (fileMatch)
      return fileMatch[1] === token
        ? serveFile(fileMatch[2] ?? '')
        : new Response('Unauthorized', { status: 401 })
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(pathname)
    if (!m) return fail(404, 'Not Found')
    const [, reqToken = '', method = ''] = m
    const uploadReq = method === 'sendPhoto' || method === 'sendDocument' ? req.clone() : undefined
    const body = await readBody(req)
    const respond = async (): Promise<Response> => {
      if (reqToken !== token) return fail(401, 'Unauthorized')
      if (Date.now() < (outages.get(method) ?? 0)) return fail(502, 'Bad Gateway')
      const forced = failures.get(method)?.shift()
      if (forced?.kind === 'rate_limit')
        return fail(429, `Too Many Requests: retry after ${forced.retryAfterSeconds}`, {
          retry_after: forced.retryAfterSeconds,
        })
      if (forced?.kind === 'server_error') return fail(502, 'Bad Gateway')
      if (forced?.kind === 'parse_error')
        return fail(
          400,
          'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"',
        )
      switch (method) {
        case 'getMe':
          return ok({
            ...bot,
            is_bot: true,
            first_name: 'Test',
            can_join_groups: true,
            can_read_all_group_messages: false,
            supports_inline_queries: false,
          })
        case 'setWebhook':
          webhook = {
            url: String(body.url),
            secret: typeof body.secret_token === 'string' ? body.secret_token : undefined,
          }
          return ok(true)
        case 'deleteWebhook':
          webhook = undefined
          return ok(true)
        case 'setMyCommands':
          return ok(true)
        case 'getUpdates':
          if (webhook) return fail(409, "Conflict: can't use getUpdates method while webhook is active")
          return getUpdates(body, req.signal)
        case 'sendMessage':
          return sendMessage(body)
        case 'sendPhoto':
        case 'sendDocument':
          return uploadReq ? upload(method, uploadReq) : fail(400, 'Bad Request')
        case 'getFile': {
          const file = files.get(String(body.file_id))
          if (!file) return fail(400, 'Bad Request: invalid file_id')
          return ok({
            file_id: String(body.file_id),
            file_unique_id: String(body.file_id),
            file_size: file.declared,
            file_path: file.path,
          })
        }
        case 'sendChatAction':
          return body.action === 'typing'
            ? ok(true)
            : fail(400, 'Bad Request: wrong parameter action in request')
        default:
          return fail(404, 'Not Found: method not found')
      }
    }
    const res = await respond()
    calls.record({ method, token: reqToken, body, status: res.status, at: Date.now() })
    return res
  }

  const serve = (port: number) => Bun.serve({ hostname: '127.0.0.1', port, fetch: handle, idleTimeout: 0 })
  server = serve(0)
  const port = server.port ?? 0

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    token,
    bot,
    calls,
    webhook: () => webhook,
    deliveries,
    uploads,
    downloads,
    injectFile(f) {
      const fileId = `file-${nextFileId++}`
      const ext = { photo: 'jpg', document: 'bin', voice: 'oga', audio: 'mp3', video: 'mp4' }[f.kind]
      const declared = f.declaredSize ?? f.bytes.length
      files.set(fileId, { bytes: f.bytes, path: `${f.kind}s/file_${nextFileId}.${ext}`, declared })
      const base = { file_id: fileId, file_unique_id: `u${fileId}`, file_size: declared }
      const media =
        f.kind === 'photo'
          ? {
              photo: [
                { ...base, file_id: `${fileId}-thumb`, width: 90, height: 90 },
                { ...base, width: 800, height: 600 },
              ],
            }
          : f.kind === 'voice'
            ? { voice: { ...base, duration: 2, mime_type: f.mimeType ?? 'audio/ogg' } }
            : {
                [f.kind]: {
                  ...base,
                  file_name: f.fileName,
                  mime_type: f.mimeType,
                  ...(f.kind === 'document' ? {} : { duration: 2 }),
                },
              }
      const message_id = nextMessageId++
      const message: Record<string, unknown> = {
        message_id,
        date: Math.floor(Date.now() / 1000),
        chat: f.chat,
        from: { is_bot: false, ...f.from },
        ...(f.caption === undefined ? {} : { caption: f.caption }),
        ...media,
      }
      injected.set(message_id, message)
      enqueue({ update_id: nextUpdateId++, message })
      return message_id
    },
    injectMessage(msg) {
      const message_id = nextMessageId++
      const reply = msg.replyTo
        ? (sentMessages.get(msg.replyTo.message_id) ?? { ...msg.replyTo, date: 0, chat: msg.chat })
        : undefined
      const message: Record<string, unknown> = {
        message_id,
        date: Math.floor(Date.now() / 1000),
        chat: msg.chat,
        from: { is_bot: false, ...msg.from },
        text: msg.text,
        entities: msg.entities,
        ...(msg.topicId === undefined ? {} : { message_thread_id: msg.topicId, is_topic_message: true }),
        ...(reply ? { reply_to_message: reply } : {}),
      }
      injected.set(message_id, message)
      enqueue({ update_id: nextUpdateId++, message })
      return message_id
    },
    redeliver(messageId) {
      const message = injected.get(messageId)
      if (!message) throw new Error(`no update carried message ${messageId}`)
      enqueue({ update_id: nextUpdateId++, message })
    },
    outage(method, ms) {
      outages.set(method, Date.now() + ms)
    },
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure])
    },
    async dropConnections() {
      // A drop is only visible to a client with a request in flight: wait for its held poll.
      const deadline = Date.now() + 5000
      while (pollWaiters.size === 0 && Date.now() < deadline) await Bun.sleep(5)
      await server.stop(true)
      const waiters = pollWaiters
      pollWaiters = new Set()
      for (const w of waiters) w()
      server = serve(port)
    },
    async stop() {
      wake()
      await server.stop(true)
    },
  }
}
