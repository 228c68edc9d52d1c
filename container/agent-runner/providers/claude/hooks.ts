import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HookCallback, HookCallbackMatcher, HookEvent } from '@anthropic-ai/claude-agent-sdk'
import { withoutCredentials } from './env.ts'

/**
 * PreToolUse on Bash: prefix every command with `unset <credentials>;` so the key the CLI needs for
 * the API never reaches a shell the agent controls through its environment.
 */
export const stripCredentialsFromBash: HookCallback = async (input) => {
  if (input.hook_event_name !== 'PreToolUse') return {}
  const toolInput = input.tool_input
  if (typeof toolInput !== 'object' || toolInput === null || !('command' in toolInput)) return {}
  if (typeof toolInput.command !== 'string') return {}
  return {
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: 'allow',
      updatedInput: { ...toolInput, command: withoutCredentials(toolInput.command) },
    },
  }
}

/** PreCompact: archive the transcript as Markdown before the CLI summarises it away. */
export function archiveOnCompact(conversationsDir: string, now: () => Date): HookCallback {
  return async (input) => {
    if (input.hook_event_name !== 'PreCompact') return {}
    let raw: string
    try {
      raw = readFileSync(input.transcript_path, 'utf8')
    } catch (err) {
      process.stderr.write(`[agent-runner] PreCompact: transcript unreadable: ${String(err)}\n`)
      return {}
    }
    const turns = parseTranscript(raw)
    if (turns.length === 0) return {}
    mkdirSync(conversationsDir, { recursive: true })
    const file = join(conversationsDir, archiveName(now(), turns[0]?.text ?? ''))
    writeFileSync(file, formatTranscript(turns, input.session_id, now()))
    return {}
  }
}

export function buildHooks(conversationsDir: string): Partial<Record<HookEvent, HookCallbackMatcher[]>> {
  return {
    PreToolUse: [{ matcher: 'Bash', hooks: [stripCredentialsFromBash] }],
    PreCompact: [{ hooks: [archiveOnCompact(conversationsDir, () => new Date())] }],
  }
}

export interface TranscriptTurn {
  role: 'user' | 'assistant'
  text: string
}

/** The user/assistant text of a Claude Code session JSONL file; tool traffic and metadata are skipped. */
export function parseTranscript(jsonl: string): TranscriptTurn[] {
  const turns: TranscriptTurn[] = []
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue
    let entry: unknown
    try {
      entry = JSON.parse(line)
    } catch {
      continue
    }
    if (typeof entry !== 'object' || entry === null || !('type' in entry) || !('message' in entry)) continue
    if (entry.type !== 'user' && entry.type !== 'assistant') continue
    if ('isMeta' in entry && entry.isMeta === true) continue
    const message = entry.message
    if (typeof message !== 'object' || message === null || !('content' in message)) continue
    const text = blockText(message.content).trim()
    if (text) turns.push({ role: entry.type, text })
  }
  return turns
}

export function formatTranscript(turns: TranscriptTurn[], sessionId: string, at: Date): string {
  const head = `# Conversation archived ${at.toISOString()}\n\nSession: ${sessionId}\n`
  const body = turns.map((t) => `## ${t.role === 'user' ? 'User' : 'Assistant'}\n\n${t.text}\n`).join('\n')
  return `${head}\n${body}`
}

/** `<YYYY-MM-DD>-<HHMMSS>-<slug of the first user message>.md` */
export function archiveName(at: Date, firstText: string): string {
  const iso = at.toISOString()
  const stamp = `${iso.slice(0, 10)}-${iso.slice(11, 19).replaceAll(':', '')}`
  const slug = firstText
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '')
  return `${stamp}-${slug || 'conversation'}.md`
}

function blockText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((b: unknown) =>
      typeof b === 'object' &&
      b !== null &&
      'type' in b &&
      b.type === 'text' &&
      'text' in b &&
      typeof b.text === 'string'
        ? b.text
        : '',
    )
    .filter((t) => t && !t.trimStart().startsWith('<system-reminder>'))
    .join('\n')
}
