import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Options, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk'
import type { Provider, ProviderContext } from '../provider.ts'
import { buildCliEnv } from './claude/env.ts'
import { classifyError, createFrameTranslator } from './claude/frames.ts'
import { buildHooks } from './claude/hooks.ts'
import { type ClaudeSdk, createNgbMcpServer, MCP_SERVER_NAME } from './claude/tools.ts'

/**
 * The SDK is imported when a claude turn starts, not at load: the runner bundle keeps it external,
 * and the offline test image (mock provider only) does not ship it.
 */
const loadSdk = (): Promise<ClaudeSdk> => import('@anthropic-ai/claude-agent-sdk')

export interface ClaudeProviderOptions {
  /** Path of the native `claude` binary; unset = the SDK finds its platform package in node_modules. */
  executable?: string
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
    const translator = createFrameTranslator(input.sessionId)
    const first = input.isScheduledTask ? `${SCHEDULED_PREFIX}${input.prompt}` : input.prompt
    try {
      const sdk = await loadSdk()
      const q = sdk.query({
        prompt: userMessages(first, ctx.followUps),
        options: buildOptions(ctx, opts, sdk),
      })
      for await (const msg of q) {
        for (const frame of translator.translate(msg)) ctx.emit(frame)
      }
    } catch (err) {
      // The SDK rethrows a failed turn's result as an exception; that turn already has its frame.
      if (translator.lastTurnFailed()) return 1
      const message = err instanceof Error ? err.message : String(err)
      ctx.emit({ type: 'error', kind: classifyError(undefined, message), message: message.slice(0, 1000) })
      return 1
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

/** The provider the agent-runner registers as `claude`; NGB_CLAUDE_EXECUTABLE is set by the test image. */
export const claudeProvider: Provider = (ctx) =>
  createClaudeProvider({ executable: process.env.NGB_CLAUDE_EXECUTABLE, processEnv: process.env })(ctx)

export function buildOptions(ctx: ProviderContext, opts: ClaudeProviderOptions, sdk: ClaudeSdk): Options {
  const { input, paths } = ctx
  const options: Options = {
    cwd: paths.group,
    resume: input.sessionId,
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    settingSources: ['project'],
    mcpServers: { [MCP_SERVER_NAME]: createNgbMcpServer(ctx, sdk) },
    hooks: buildHooks(join(paths.group, 'conversations')),
    env: buildCliEnv(input, paths.home, opts.processEnv ?? {}),
    maxTurns: opts.maxTurns ?? 200,
    stderr: (data) => process.stderr.write(`[claude] ${data}`),
  }
  if (opts.executable) options.pathToClaudeCodeExecutable = opts.executable
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

async function* userMessages(
  first: string,
  followUps: AsyncIterable<string>,
): AsyncGenerator<SDKUserMessage> {
  yield userMessage(first)
  for await (const text of followUps) yield userMessage(text)
}

function userMessage(text: string): SDKUserMessage {
  return { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null }
}
