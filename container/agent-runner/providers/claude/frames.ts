import type { SDKAssistantMessageError, SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import type { ErrorKind, OutputFrame } from '../../../../src/protocol/container.ts'
import { createUsageMeter, type UsageMeter } from './usage.ts'

const SUMMARY_MAX = 200

export interface FrameTranslator {
  /** Frames for one SDK message, in order. */
  translate(msg: SDKMessage): OutputFrame[]
  /** Whether the most recent turn ended in an error. */
  lastTurnFailed(): boolean
  /** The session id reported by the CLI, once known. */
  sessionId(): string | undefined
}

/**
 * Turns the SDK's message stream into protocol frames: `session` once per session id, `activity` for
 * tool calls and their results, `result` per successful turn, `error` (classified) per failed turn.
 */
export function createFrameTranslator(
  resumeId: string | undefined,
  meter: UsageMeter = createUsageMeter(),
): FrameTranslator {
  let session: string | undefined
  let apiError: SDKAssistantMessageError | undefined
  let failed = false

  const translate = (msg: SDKMessage): OutputFrame[] => {
    switch (msg.type) {
      case 'system':
        if (msg.subtype === 'init' && msg.session_id !== session) {
          session = msg.session_id
          return [{ type: 'session', sessionId: session, resumed: resumeId === session }]
        }
        if (msg.subtype === 'compact_boundary') {
          return [
            { type: 'activity', kind: 'compact', summary: `compacted (${msg.compact_metadata.trigger})` },
          ]
        }
        if (msg.subtype === 'api_retry') {
          return [
            {
              type: 'activity',
              kind: 'retry',
              summary: `API ${msg.error_status ?? 'connection'} error, retry ${msg.attempt}/${msg.max_retries}`,
            },
          ]
        }
        return []
      case 'assistant': {
        if (msg.error) apiError = msg.error
        const frames: OutputFrame[] = []
        for (const block of msg.message.content) {
          if (block.type === 'tool_use') {
            frames.push({
              type: 'activity',
              kind: 'tool_use',
              summary: summarizeToolUse(block.name, block.input),
            })
          }
        }
        return frames
      }
      case 'user': {
        const content = msg.message.content
        if (typeof content === 'string') return []
        const frames: OutputFrame[] = []
        for (const block of content) {
          if (block.type === 'tool_result') {
            const text = contentText(block.content)
            frames.push({
              type: 'activity',
              kind: 'tool_result',
              summary: truncate(`${block.is_error ? 'error: ' : ''}${text}`),
            })
          }
        }
        return frames
      }
      case 'result': {
        const code = apiError
        apiError = undefined
        const usage = meter.turn(msg)
        if (msg.subtype === 'success' && !msg.is_error) {
          failed = false
          // An empty answer sends nothing but still cost tokens: an activity frame carries them.
          return msg.result
            ? [{ type: 'result', text: msg.result, usage }]
            : [{ type: 'activity', kind: 'usage', summary: 'turn ended without an answer', usage }]
        }
        failed = true
        const message =
          msg.subtype === 'success' ? msg.result : msg.errors.join('; ') || `agent stopped: ${msg.subtype}`
        return [
          { type: 'error', kind: classifyError(code, message), message: truncate(message, 1000), usage },
        ]
      }
      default:
        return []
    }
  }

  return { translate, lastTurnFailed: () => failed, sessionId: () => session }
}

/** Maps the CLI's API error code, or failing that the error text, to a protocol error kind. */
export function classifyError(code: SDKAssistantMessageError | undefined, message: string): ErrorKind {
  switch (code) {
    case 'authentication_failed':
    case 'oauth_org_not_allowed':
    case 'account_on_hold':
    case 'verification_required':
    case 'billing_error':
    case 'cloud_credential_error':
      return 'auth'
    case 'rate_limit':
    case 'overloaded':
      return 'rate_limit'
    case undefined:
      break
    default:
      return 'agent'
  }
  if (/no conversation found|session .*not found|--resume/i.test(message)) return 'session_invalid'
  if (/api key|x-api-key|authenticat|unauthori[sz]ed|\b401\b|oauth token|\/login/i.test(message))
    return 'auth'
  if (/rate.?limit|\b429\b|overloaded|\b529\b/i.test(message)) return 'rate_limit'
  return 'agent'
}

export function summarizeToolUse(name: string, input: unknown): string {
  const rec = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {}
  const detail = ['command', 'file_path', 'pattern', 'url', 'query', 'text', 'prompt', 'description']
    .map((k) => rec[k])
    .find((v): v is string => typeof v === 'string')
  return truncate(detail ? `${name}: ${detail}` : name)
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((b: unknown) =>
      typeof b === 'object' && b !== null && 'text' in b && typeof b.text === 'string' ? b.text : '',
    )
    .join('')
}

function truncate(s: string, max = SUMMARY_MAX): string {
  const one = s.replace(/\s+/g, ' ').trim()
  return one.length > max ? `${one.slice(0, max - 1)}…` : one
}
