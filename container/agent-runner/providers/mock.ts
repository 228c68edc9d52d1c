import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AttachmentRef } from '../../../src/protocol/attachments.ts'
import { imageBlockAttachments } from '../../../src/protocol/attachments.ts'
import type { Usage } from '../../../src/protocol/container.ts'
import type { Provider, ProviderContext } from '../provider.ts'

/**
 * An offline, deterministic agent for tests and demos. It answers the last <message> of a prompt
 * with `mock: <text>`, unless the text starts with a directive (docs/containers.md lists them).
 */

const MULTI_DELAY_MS = 150

/**
 * What every answer of the mock reports, so tests can assert sums: one "mock-cost unit" is
 * $0.01. `/cost <usd> <text>` answers <text> at another price.
 */
export const MOCK_USAGE: Usage = {
  inputTokens: 100,
  outputTokens: 20,
  cacheWriteTokens: 10,
  cacheReadTokens: 50,
  costUsd: 0.01,
  model: 'mock',
  apiCalls: 1,
  apiMs: 5,
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
}

/** The text of the last <message> element, or the whole prompt when it has none. */
export function lastMessage(prompt: string): string {
  const matches = [...prompt.matchAll(/<message\b[^>]*>([\s\S]*?)<\/message>/g)]
  // ngb appends <attachment …/> tags to a message's text; the directive is the text itself.
  const last = matches.at(-1)?.[1]?.replace(/<attachment\b[^>]*?(\/>|>[\s\S]*?<\/attachment>)/g, '')
  return unescapeXml(last ?? prompt).trim()
}

/** Splits off the next token; a token may be "double quoted" to hold spaces (cron expressions). */
function nextToken(s: string): [string, string] {
  const t = s.trimStart()
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1)
    if (end > 0) return [t.slice(1, end), t.slice(end + 1).trimStart()]
  }
  const m = /^(\S*)\s*([\s\S]*)$/.exec(t)
  return [m?.[1] ?? '', m?.[2] ?? '']
}

interface Session {
  id: string
  resumed: boolean
}

/** Session ids persist as marker files in the mounted ~/.claude, like the real CLI's transcripts. */
function openSession(ctx: ProviderContext): Session {
  const dir = join(ctx.paths.home, '.claude', 'mock-sessions')
  const given = ctx.input.sessionId
  const resumed = given !== undefined && existsSync(join(dir, given))
  const id = given ?? crypto.randomUUID()
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, id), `${Date.now()}\n`)
  return { id, resumed }
}

type Outcome = 'continue' | 'fail' | 'hang'

/** Sleeps unless the turn is interrupted first; true when it slept the whole time. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false)
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** What the agent received, as the Claude provider would pass it: files, and how many image blocks. */
export function describeAttachments(list: readonly AttachmentRef[]): string {
  if (list.length === 0) return 'attachments: none'
  const files = list.map((a) => {
    const state = existsSync(a.path) ? 'present' : 'missing'
    const said = a.transcript === undefined ? '' : ` transcript="${a.transcript}"`
    return `${a.kind} "${a.name}" ${a.mimeType} ${a.size} bytes ${state}${said}`
  })
  return `attachments: ${files.join('; ')}; image blocks: ${imageBlockAttachments(list).length}`
}

async function handle(
  text: string,
  ctx: ProviderContext,
  session: Session,
  signal: AbortSignal,
  usage: Usage = MOCK_USAGE,
  attachments: readonly AttachmentRef[] = [],
): Promise<Outcome> {
  const say = (t: string) => ctx.emit({ type: 'result', text: t, usage })
  // A message that is only a file: say what arrived (tests assert it triggered a turn).
  if (text === '' && attachments.length) {
    say(`mock: ${describeAttachments(attachments)}`)
    return 'continue'
  }
  if (!text.startsWith('/')) {
    say(`mock: ${text}`)
    return 'continue'
  }
  const [command, rest] = nextToken(text)
  switch (command) {
    case '/sleep': {
      const [ms, more] = nextToken(rest)
      if (!(await pause(Number(ms) || 0, signal))) return interrupted(ctx)
      if (more) return handle(more, ctx, session, signal, usage, attachments)
      say(`mock: slept ${Number(ms) || 0}`)
      return 'continue'
    }
    case '/cost': {
      const [usd, more] = nextToken(rest)
      const costUsd = Math.max(0, Number(usd) || 0)
      return handle(more || 'cost', ctx, session, signal, { ...usage, costUsd }, attachments)
    }
    case '/multi': {
      const n = Math.max(1, Math.min(1000, Number(nextToken(rest)[0]) || 1))
      for (let i = 1; i <= n; i++) {
        if (i > 1 && !(await pause(MULTI_DELAY_MS, signal))) return interrupted(ctx)
        say(`part ${i}/${n}`)
      }
      return 'continue'
    }
    case '/flood': {
      // Raw noise on stdout, outside any frame, as a chatty tool or a runaway loop would print.
      const [bytes, more] = nextToken(rest)
      const total = Math.max(0, Math.min(1e9, Number(bytes) || 0))
      const line = `${'noise '.repeat(15)}\n`
      const block = line.repeat(Math.ceil(65_536 / line.length))
      for (let sent = 0; sent < total; sent += block.length) {
        if (!process.stdout.write(block)) await new Promise((r) => process.stdout.once('drain', r))
      }
      if (more) return handle(more, ctx, session, signal, usage, attachments)
      say(`mock: flooded ${total}`)
      return 'continue'
    }
    case '/fail':
      ctx.emit({ type: 'error', kind: 'agent', message: `mock failure${rest ? `: ${rest}` : ''}` })
      return 'fail'
    case '/hang':
      return 'hang'
    case '/session':
      say(`session ${session.id} resumed=${session.resumed}`)
      return 'continue'
    case '/secret': {
      const s = ctx.input.secrets
      say(s.ANTHROPIC_API_KEY || s.CLAUDE_CODE_OAUTH_TOKEN ? 'secret present' : 'secret absent')
      return 'continue'
    }
    case '/send': {
      const [chatJid, body] = nextToken(rest)
      ctx.actions.sendMessage({ chatJid, text: body })
      say(`mock: sent to ${chatJid}`)
      return 'continue'
    }
    case '/task': {
      const [scheduleType, afterType] = nextToken(rest)
      const [scheduleValue, prompt] = nextToken(afterType)
      if (scheduleType !== 'cron' && scheduleType !== 'interval' && scheduleType !== 'once') {
        ctx.emit({ type: 'error', kind: 'agent', message: `unknown schedule type "${scheduleType}"` })
        return 'continue'
      }
      ctx.actions.task({
        type: 'schedule_task',
        prompt,
        scheduleType,
        scheduleValue,
        targetJid: ctx.input.chatJid,
      })
      say(`mock: task scheduled (${scheduleType} ${scheduleValue})`)
      return 'continue'
    }
    case '/env': {
      const name = nextToken(rest)[0]
      const value = ctx.input.userEnv?.[name]
      say(value === undefined ? `env ${name} unset` : `env ${name}=${value}`)
      return 'continue'
    }
    case '/attachments':
      say(`mock: ${describeAttachments(attachments)}`)
      return 'continue'
    case '/sendfile': {
      const [path, caption] = nextToken(rest)
      ctx.actions.sendFile({ chatJid: ctx.input.chatJid, path, caption: caption || undefined })
      say(`mock: file ${path} sent`)
      return 'continue'
    }
    case '/activity':
      ctx.emit({ type: 'activity', kind: 'tool_use', summary: rest || 'mock activity' })
      say(`mock: ${rest || 'activity'}`)
      return 'continue'
    default:
      say(`mock: ${text}`)
      return 'continue'
  }
}

/** Never settles, and keeps the event loop alive so the process really hangs (like a stuck agent). */
function hang(): Promise<number> {
  setInterval(() => {}, 60_000)
  return new Promise<number>(() => {})
}

/** Like the real agent: an interrupted turn ends without an answer; the session goes on. */
function interrupted(ctx: ProviderContext): Outcome {
  ctx.emit({ type: 'activity', kind: 'interrupted', summary: 'turn interrupted' })
  return 'continue'
}

/** One turn, stoppable by the host's `_interrupt`. */
async function turn(text: string, ctx: ProviderContext, session: Session): Promise<Outcome> {
  const controller = new AbortController()
  const off = ctx.onInterrupt(() => controller.abort())
  try {
    return await handle(
      lastMessage(text),
      ctx,
      session,
      controller.signal,
      MOCK_USAGE,
      ctx.attachmentsOf(text),
    )
  } finally {
    off()
  }
}

export const mockProvider: Provider = async (ctx) => {
  const session = openSession(ctx)
  ctx.emit({ type: 'session', sessionId: session.id, resumed: session.resumed })
  // One prompt is one turn, however many batches it holds (follow-ups waiting at start join it):
  // like the real provider, the mock gives one answer, to the last message.
  const first = await turn(ctx.input.prompt, ctx, session)
  if (first === 'fail') return 1
  if (first === 'hang') return hang()
  for await (const text of ctx.followUps) {
    const outcome = await turn(text, ctx, session)
    if (outcome === 'fail') return 1
    if (outcome === 'hang') return hang()
  }
  return 0
}
