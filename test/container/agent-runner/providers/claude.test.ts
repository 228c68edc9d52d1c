/** The claude provider's pure parts; the provider itself runs for real in test/integration/claude-provider.test.ts. */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk'
import { buildCliEnv, withoutCredentials } from '../../../../container/agent-runner/providers/claude/env.ts'
import {
  classifyError,
  createFrameTranslator,
  summarizeToolUse,
} from '../../../../container/agent-runner/providers/claude/frames.ts'
import {
  archiveName,
  archiveOnCompact,
  parseTranscript,
  stripCredentialsFromBash,
} from '../../../../container/agent-runner/providers/claude/hooks.ts'
import { PLACEHOLDER_KEY } from '../../../../container/agent-runner/providers/claude/key-proxy.ts'
import { checkSchedule } from '../../../../container/agent-runner/providers/claude/tools.ts'
import { createUsageMeter } from '../../../../container/agent-runner/providers/claude/usage.ts'
import type { ContainerInput } from '../../../../src/protocol/container.ts'
import { tempDir } from '../../../helpers/temp.ts'

const input: ContainerInput = {
  prompt: 'hi',
  group: 'main',
  chatJid: 'cli:me',
  isMain: true,
  assistantName: 'Andy',
  provider: 'claude',
  secrets: { ANTHROPIC_API_KEY: 'sk-ant-test-1' },
  env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_MODEL: 'claude-test' },
}

describe('CLI environment', () => {
  test('is built explicitly: credentials, base URL, quiet flags, and only allowed host variables', () => {
    const env = buildCliEnv(input, '/home/agent', { PATH: '/bin', SECRET_OF_HOST: 'x', LANG: 'C.UTF-8' })
    expect(env).toEqual({
      PATH: '/bin',
      LANG: 'C.UTF-8',
      HOME: '/home/agent',
      CLAUDE_CONFIG_DIR: '/home/agent/.claude',
      ANTHROPIC_API_KEY: 'sk-ant-test-1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_MODEL: 'claude-test',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
    })
  })

  test('with the key proxy, the CLI gets a placeholder key and the proxy as base URL', () => {
    const env = buildCliEnv(input, '/home/agent', {}, 'http://127.0.0.1:4000')
    expect(env.ANTHROPIC_API_KEY).toBe(PLACEHOLDER_KEY)
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:4000')
    expect(Object.values(env)).not.toContain('sk-ant-test-1')
  })

  test('user variables from ngb run --env reach the CLI but never override ours', () => {
    const env = buildCliEnv(
      { ...input, userEnv: { GITHUB_TOKEN: 'ghp-x', HOME: '/evil', ANTHROPIC_BASE_URL: 'http://evil' } },
      '/home/agent',
      {},
      'http://127.0.0.1:4000',
    )
    expect(env.GITHUB_TOKEN).toBe('ghp-x')
    expect(env.HOME).toBe('/home/agent')
    expect(env.ANTHROPIC_BASE_URL).toBe('http://127.0.0.1:4000')
  })

  test('the Bash hook unsets the credentials before the command', async () => {
    const out = await stripCredentialsFromBash(
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        tool_input: { command: 'env', timeout: 5 },
        tool_use_id: 't1',
        session_id: 's',
        transcript_path: '/x',
        cwd: '/workspace/group',
      },
      't1',
      { signal: new AbortController().signal },
    )
    expect(out).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'allow',
        updatedInput: { command: withoutCredentials('env'), timeout: 5 },
      },
    })
    expect(withoutCredentials('env')).toBe(
      'unset ANTHROPIC_API_KEY CLAUDE_CODE_OAUTH_TOKEN ANTHROPIC_AUTH_TOKEN; env',
    )
  })
})

describe('frames', () => {
  const init = { type: 'system', subtype: 'init', session_id: 'sess-1' } as unknown as SDKMessage
  const result = (fields: Record<string, unknown>) =>
    ({
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: 'done',
      errors: [],
      ...fields,
    }) as unknown as SDKMessage

  test('a session frame once per session id, marked resumed when it is the one asked for', () => {
    const t = createFrameTranslator('sess-1')
    expect(t.translate(init)).toEqual([{ type: 'session', sessionId: 'sess-1', resumed: true }])
    expect(t.translate(init)).toEqual([])
    expect(createFrameTranslator(undefined).translate(init)).toEqual([
      { type: 'session', sessionId: 'sess-1', resumed: false },
    ])
  })

  test('tool calls become activity, results become result or classified error frames', () => {
    const t = createFrameTranslator(undefined)
    const assistant = {
      type: 'assistant',
      message: { content: [{ type: 'tool_use', id: 'a', name: 'Bash', input: { command: 'ls -la' } }] },
    } as unknown as SDKMessage
    expect(t.translate(assistant)).toEqual([{ type: 'activity', kind: 'tool_use', summary: 'Bash: ls -la' }])
    expect(t.translate(result({}))).toMatchObject([{ type: 'result', text: 'done' }])
    expect(t.lastTurnFailed()).toBe(false)
    t.translate({ type: 'assistant', error: 'rate_limit', message: { content: [] } } as unknown as SDKMessage)
    expect(t.translate(result({ is_error: true, result: 'API Error: 429' }))).toMatchObject([
      { type: 'error', kind: 'rate_limit', message: 'API Error: 429' },
    ])
    expect(t.lastTurnFailed()).toBe(true)
  })

  const model = (input: number, output: number, costUSD: number) => ({
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: 2 * input,
    cacheCreationInputTokens: 0,
    costUSD,
  })

  test('usage per turn is the difference of the running totals, after the resumed baseline', () => {
    const t = createFrameTranslator(
      's',
      createUsageMeter({ inputTokens: 100, outputTokens: 10, cacheReadTokens: 200, costUsd: 0.5, apiMs: 40 }),
    )
    // The first result of a resumed session already carries the earlier runs' 100 tokens and $0.50.
    const first = t.translate(
      result({
        total_cost_usd: 0.75,
        duration_api_ms: 70,
        num_turns: 2,
        modelUsage: { 'claude-sonnet-4-5': model(150, 15, 0.7), 'claude-haiku-4-5': model(10, 1, 0.05) },
      }),
    )
    expect(first).toEqual([
      {
        type: 'result',
        text: 'done',
        usage: {
          inputTokens: 60,
          outputTokens: 6,
          cacheWriteTokens: 0,
          cacheReadTokens: 120,
          costUsd: 0.25,
          model: 'claude-sonnet-4-5',
          apiCalls: 2,
          apiMs: 30,
        },
      },
    ])
    const second = t.translate(
      result({
        result: '',
        total_cost_usd: 1,
        duration_api_ms: 100,
        num_turns: 1,
        modelUsage: { 'claude-sonnet-4-5': model(200, 20, 0.95), 'claude-haiku-4-5': model(10, 1, 0.05) },
      }),
    )
    // An empty answer sends nothing, and still reports what it cost.
    expect(second).toEqual([
      {
        type: 'activity',
        kind: 'usage',
        summary: 'turn ended without an answer',
        usage: expect.objectContaining({ inputTokens: 50, outputTokens: 5, costUsd: 0.25, apiMs: 30 }),
      },
    ])
    // A /clear resets the running totals: the smaller figure is the new turn's own.
    const cleared = t.translate(
      result({ total_cost_usd: 0.1, duration_api_ms: 5, num_turns: 1, modelUsage: { m: model(7, 3, 0.1) } }),
    )
    expect(cleared[0]).toMatchObject({ usage: { inputTokens: 7, outputTokens: 3, costUsd: 0.1, model: 'm' } })
  })

  test.each([
    [undefined, 'No conversation found with session ID: abc', 'session_invalid'],
    [undefined, 'Invalid API key · Fix external API key', 'auth'],
    ['authentication_failed', 'whatever', 'auth'],
    ['billing_error', 'whatever', 'auth'],
    ['overloaded', 'whatever', 'rate_limit'],
    [undefined, 'API Error: Request rejected (429)', 'rate_limit'],
    ['server_error', 'boom', 'agent'],
    [undefined, 'something else', 'agent'],
  ] as const)('classifies %p / %p as %p', (code, message, kind) => {
    expect(classifyError(code, message)).toBe(kind)
  })

  test('summaries are one short line', () => {
    expect(summarizeToolUse('Read', { file_path: '/a/b' })).toBe('Read: /a/b')
    expect(summarizeToolUse('Bash', { command: `echo ${'x'.repeat(500)}\nnext` }).length).toBe(200)
    expect(summarizeToolUse('TodoWrite', {})).toBe('TodoWrite')
  })
})

describe('PreCompact archive', () => {
  const transcript = [
    { type: 'user', message: { role: 'user', content: 'Plan the <b>trip</b> to Oslo' } },
    { type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash' }] } },
    { type: 'user', isMeta: true, message: { content: 'meta' } },
    { type: 'assistant', message: { content: [{ type: 'text', text: 'Here is the plan.' }] } },
    { type: 'summary', summary: 'x' },
  ]
    .map((l) => JSON.stringify(l))
    .join('\n')

  test('keeps user and assistant text only', () => {
    expect(parseTranscript(`${transcript}\nnot json\n`)).toEqual([
      { role: 'user', text: 'Plan the <b>trip</b> to Oslo' },
      { role: 'assistant', text: 'Here is the plan.' },
    ])
  })

  test('writes conversations/<date>-<time>-<slug>.md', async () => {
    const dir = tempDir()
    const path = join(dir, 'session.jsonl')
    writeFileSync(path, transcript)
    const at = new Date('2026-11-25T20:15:45Z')
    const hook = archiveOnCompact(join(dir, 'conversations'), () => at)
    await hook(
      {
        hook_event_name: 'PreCompact',
        trigger: 'manual',
        custom_instructions: null,
        session_id: 's1',
        transcript_path: path,
        cwd: dir,
      },
      undefined,
      { signal: new AbortController().signal },
    )
    expect(readdirSync(join(dir, 'conversations'))).toEqual(['2026-11-25-201545-plan-the-trip-to-oslo.md'])
    const md = readFileSync(join(dir, 'conversations', '2026-11-25-201545-plan-the-trip-to-oslo.md'), 'utf8')
    expect(md).toContain('## User\n\nPlan the <b>trip</b> to Oslo')
    expect(md).toContain('## Assistant\n\nHere is the plan.')
    expect(archiveName(at, '!!!')).toBe('2026-11-25-201545-conversation.md')
  })
})

test('schedules are checked before they become IPC files', () => {
  expect(checkSchedule('interval', '60000')).toBeUndefined()
  expect(checkSchedule('interval', '-5')).toBeString()
  expect(checkSchedule('once', '2026-12-01T09:00:00Z')).toBeUndefined()
  expect(checkSchedule('once', 'tomorrow')).toBeString()
  expect(checkSchedule('cron', '0 9 * * 1')).toBeUndefined()
  expect(checkSchedule('cron', '0 9')).toBeString()
})

test('the production Dockerfile pins the SDK version this checkout installs and tests', () => {
  const root = join(import.meta.dir, '..', '..', '..', '..')
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const dockerfile = readFileSync(join(root, 'container', 'Dockerfile'), 'utf8')
  const pinned = /^ARG CLAUDE_AGENT_SDK_VERSION=(\S+)$/m.exec(dockerfile)?.[1]
  expect(pkg.dependencies['@anthropic-ai/claude-agent-sdk']).toBe(pinned)
})
