import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Options, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'
import type { AttachmentRef } from '../../../src/protocol/attachments.ts'
import { imageBlockAttachments } from '../../../src/protocol/attachments.ts'
import type { Provider, ProviderContext } from '../provider.ts'
import { buildCliEnv } from './claude/env.ts'
import { classifyError, createFrameTranslator } from './claude/frames.ts'
import { buildHooks } from './claude/hooks.ts'
import { startKeyProxy } from './claude/key-proxy.ts'
import { createNgbMcpServer, MCP_SERVER_NAME, type McpSdk } from './claude/tools.ts'
import { createUsageMeter } from './claude/usage.ts'

export interface ClaudeProviderOptions {
  /** The runner's environment, for the few variables the CLI may inherit (PATH, LANG, …). */
  processEnv?: Record<string, string | undefined>
  maxTurns?: number
}

const SCHEDULED_PREFIX =
  '[SCHEDULED TASK - this message was sent automatically, not by a user. Answer as the task asks.]\n\n'

/**
 * The Claude Agent SDK provider: one streaming-input `query()` for the whole session, so follow-ups
 * join the live conversation; the input iterable (and with it the CLI) ends on `_close`.
 */
export function createClaudeProvider(opts: ClaudeProviderOptions = {}): Provider {
  return async (ctx) => {
    const { input } = ctx
    const translator = createFrameTranslator(input.sessionId, createUsageMeter(input.usageBaseline))
    const first = input.isScheduledTask ? `${SCHEDULED_PREFIX}${input.prompt}` : input.prompt
    const sdk = await loadSdk()
    if (!sdk) {
      ctx.emit({
        type: 'error',
        kind: 'internal',
        message:
          'the Claude Agent SDK is not installed in this image; use an image built with it (ngb image build)',
      })
      return 1
    }
    // API keys go through the loopback proxy, so the CLI's environment holds only a placeholder.
    const apiKey = input.secrets.ANTHROPIC_API_KEY
    const proxy = apiKey ? startKeyProxy({ apiKey, upstream: input.env?.ANTHROPIC_BASE_URL }) : undefined
    try {
      const options = buildOptions(sdk, ctx, opts, proxy?.url)
      const q = sdk.query({ prompt: userMessages(first, ctx), options })
      // `_interrupt` stops the current turn the way Esc does in Claude Code; later messages go on.
      const off = ctx.onInterrupt(() => {
        ctx.emit({ type: 'activity', kind: 'interrupted', summary: 'turn interrupted' })
        q.interrupt().catch((error: unknown) =>
          ctx.emit({ type: 'activity', kind: 'interrupt_failed', summary: String(error).slice(0, 200) }),
        )
      })
      try {
        for await (const msg of q) {
          for (const frame of translator.translate(msg)) ctx.emit(frame)
        }
      } finally {
        off()
      }
    } catch (err) {
      // The SDK rethrows a failed turn's result as an exception; that turn already has its frame.
      if (translator.lastTurnFailed()) return 1
      const message = err instanceof Error ? err.message : String(err)
      ctx.emit({ type: 'error', kind: classifyError(undefined, message), message: message.slice(0, 1000) })
      return 1
    } finally {
      await proxy?.stop()
    }
    if (translator.sessionId() === undefined) {
      ctx.emit({
        type: 'error',
        kind: 'internal',
        message: 'the Claude Code CLI ended without starting a session',
      })
      return 1
    }
    return translator.lastTurnFailed() ? 1 : 0
  }
}

/**
 * The provider the agent-runner registers as `claude`. The SDK finds the native `claude` binary in
 * its platform package next to it (/app/node_modules in both the production and the test image).
 */
export const claudeProvider: Provider = (ctx) => createClaudeProvider({ processEnv: process.env })(ctx)

export function buildOptions(
  sdk: McpSdk,
  ctx: ProviderContext,
  opts: ClaudeProviderOptions,
  proxyUrl?: string,
): Options {
  const { input, paths } = ctx
  const options: Options = {
    cwd: paths.group,
    resume: input.sessionId,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    settingSources: ['project'],
    mcpServers: { [MCP_SERVER_NAME]: createNgbMcpServer(sdk, ctx) },
    hooks: buildHooks(join(paths.group, 'conversations')),
    env: buildCliEnv(input, paths.home, opts.processEnv ?? {}, proxyUrl),
    maxTurns: opts.maxTurns ?? 200,
    stderr: (data) => process.stderr.write(`[claude] ${data}`),
  }
  const globalMemory = join(paths.global, 'CLAUDE.md')
  if (!input.isMain && existsSync(globalMemory)) {
    options.systemPrompt = {
      type: 'preset',
      preset: 'claude_code',
      append: readFileSync(globalMemory, 'utf8'),
    }
  }
  return options
}

/**
 * Loaded on use, not at the top: the bundled agent-runner keeps the SDK external, and images without
 * it (the mock-only test image) must still start.
 */
async function loadSdk(): Promise<typeof import('@anthropic-ai/claude-agent-sdk') | undefined> {
  try {
    return await import('@anthropic-ai/claude-agent-sdk')
  } catch (err) {
    process.stderr.write(`[agent-runner] loading @anthropic-ai/claude-agent-sdk failed: ${String(err)}\n`)
    return undefined
  }
}

async function* userMessages(first: string, ctx: ProviderContext): AsyncGenerator<SDKUserMessage> {
  yield userMessage(first, ctx.attachmentsOf(ctx.input.prompt))
  for await (const text of ctx.followUps) yield userMessage(text, ctx.attachmentsOf(text))
}

/** Text, plus the received images (within the API's limits) as image blocks; other files are named in the text. */
export function userMessage(text: string, attachments: readonly AttachmentRef[] = []): SDKUserMessage {
  const images = imageBlockAttachments(attachments).flatMap((a) => {
    try {
      return [
        {
          type: 'image' as const,
          source: {
            type: 'base64' as const,
            media_type: a.mimeType as 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp',
            data: readFileSync(a.path).toString('base64'),
          },
        },
      ]
    } catch {
      // Gone from the workspace (the agent deleted it): the prompt still names it.
      return []
    }
  })
  const content = images.length ? [...images, { type: 'text' as const, text }] : text
  return { type: 'user', message: { role: 'user', content }, parent_tool_use_id: null }
}
