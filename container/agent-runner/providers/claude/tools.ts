import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { createSdkMcpServer, McpSdkServerConfigWithInstance, tool } from '@anthropic-ai/claude-agent-sdk'
import { z } from 'zod'
import { SNAPSHOT_FILES } from '../../../../src/protocol/container.ts'
import type { ProviderContext } from '../../provider.ts'

export const MCP_SERVER_NAME = 'ngb'

/** The two SDK functions this needs; the SDK is loaded lazily by the provider (see claude.ts). */
export interface McpSdk {
  createSdkMcpServer: typeof createSdkMcpServer
  tool: typeof tool
}

type ToolResult = { content: Array<{ type: 'text'; text: string }>; isError?: boolean }

const ok = (text: string): ToolResult => ({ content: [{ type: 'text', text }] })
const fail = (text: string): ToolResult => ({ content: [{ type: 'text', text }], isError: true })

/** Validates a schedule before it becomes an IPC file, so the agent learns of a typo at once. */
export function checkSchedule(type: 'cron' | 'interval' | 'once', value: string): string | undefined {
  if (type === 'interval') {
    return /^[1-9]\d*$/.test(value) ? undefined : 'interval must be a positive number of milliseconds'
  }
  if (type === 'once') {
    return Number.isNaN(Date.parse(value))
      ? 'once needs an ISO date-time, e.g. 2026-12-01T09:00:00Z'
      : undefined
  }
  const fields = value.trim().split(/\s+/)
  return fields.length === 5 || fields.length === 6 ? undefined : 'cron needs 5 or 6 fields, e.g. "0 9 * * 1"'
}

/**
 * The in-process MCP server `ngb`: the agent's actions on the host (chat messages, tasks, groups).
 * Each tool writes one IPC file through ctx.actions; the host authorises it by directory.
 */
export function createNgbMcpServer(sdk: McpSdk, ctx: ProviderContext): McpSdkServerConfigWithInstance {
  const { createSdkMcpServer, tool } = sdk
  const { input, actions, paths } = ctx
  const always = { alwaysLoad: true }
  return createSdkMcpServer({
    name: MCP_SERVER_NAME,
    version: '1.0.0',
    tools: [
      tool(
        'send_message',
        'Send a message to the chat now, while you keep working. Your final answer is sent anyway; use this for progress updates or extra messages.',
        {
          text: z.string().min(1).describe('The message text (markdown)'),
          chat_jid: z
            .string()
            .optional()
            .describe('Target chat JID; defaults to the current chat (main group only may choose another)'),
        },
        async (args) => {
          actions.sendMessage({ chatJid: args.chat_jid ?? input.chatJid, text: args.text })
          return ok('Message queued for delivery.')
        },
        always,
      ),
      tool(
        'schedule_task',
        'Schedule a prompt to run later as an agent turn: cron (5 fields), interval (milliseconds) or once (ISO date-time).',
        {
          prompt: z.string().min(1),
          schedule_type: z.enum(['cron', 'interval', 'once']),
          schedule_value: z.string(),
          context_mode: z.enum(['group', 'isolated']).optional(),
          target_jid: z.string().optional().describe('Chat to report to; defaults to the current chat'),
        },
        async (args) => {
          const problem = checkSchedule(args.schedule_type, args.schedule_value)
          if (problem) return fail(problem)
          actions.task({
            type: 'schedule_task',
            prompt: args.prompt,
            scheduleType: args.schedule_type,
            scheduleValue: args.schedule_value,
            contextMode: args.context_mode,
            targetJid: args.target_jid ?? input.chatJid,
          })
          return ok('Task scheduled.')
        },
        always,
      ),
      tool(
        'send_file',
        'Send a file from your workspace to the chat (images arrive as pictures). The path is relative to /workspace/group; files outside it are refused.',
        {
          path: z.string().min(1).describe('Path relative to the workspace, e.g. out/chart.png'),
          caption: z.string().optional(),
          chat_jid: z.string().optional().describe('Target chat JID; defaults to the current chat'),
        },
        async (args) => {
          if (args.path.startsWith('/') || args.path.split('/').includes('..'))
            return fail('Give a path relative to /workspace/group, without "..".')
          actions.sendFile({
            chatJid: args.chat_jid ?? input.chatJid,
            path: args.path,
            caption: args.caption,
          })
          return ok('File queued for delivery.')
        },
        always,
      ),
      tool(
        'list_tasks',
        'List the scheduled tasks visible to this group.',
        {},
        async () => {
          try {
            return ok(readFileSync(join(paths.ipc, SNAPSHOT_FILES.tasks), 'utf8'))
          } catch {
            return ok('No scheduled tasks.')
          }
        },
        always,
      ),
      ...(['pause_task', 'resume_task', 'cancel_task'] as const).map((type) =>
        tool(
          type,
          `${type.split('_')[0]} a scheduled task by id.`,
          { task_id: z.string().min(1) },
          async (args) => {
            actions.task({ type, taskId: args.task_id })
            return ok(`${type} requested for ${args.task_id}.`)
          },
          always,
        ),
      ),
      tool(
        'register_group',
        'Register a chat as a new group with its own folder (main group only).',
        {
          jid: z.string().min(1),
          name: z.string().min(1),
          folder: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
          trigger: z.enum(['always', 'mention', 'pattern']).optional(),
          trigger_pattern: z.string().optional(),
        },
        async (args) => {
          if (!input.isMain) return fail('Only the main group can register groups.')
          actions.task({
            type: 'register_group',
            jid: args.jid,
            name: args.name,
            folder: args.folder,
            trigger: args.trigger,
            triggerPattern: args.trigger_pattern,
          })
          return ok(`Group ${args.folder} registration requested.`)
        },
        always,
      ),
    ],
  })
}
