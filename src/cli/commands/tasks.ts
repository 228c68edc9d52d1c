import { defineCommand } from 'citty'
import { InvalidInputError } from '../../core/errors.ts'
import { parseJid } from '../../core/jid.ts'
import type { ContextMode, ScheduleType, Task } from '../../core/types.ts'
import { withAdmin } from '../admin/use.ts'
import { globalArgs } from '../context.ts'
import { withExamples } from '../help.ts'
import { clip, formatTable, formatWhen, note, printJson } from '../output.ts'

function schedule(t: Task): string {
  if (t.scheduleType === 'interval') return `every ${t.scheduleValue}`
  if (t.scheduleType === 'once') return `once ${t.scheduleValue}`
  return `cron ${t.scheduleValue}`
}

function scheduleOf(args: { cron?: string; every?: string; at?: string }): {
  scheduleType: ScheduleType
  scheduleValue: string
} {
  const given = [
    ['cron', args.cron],
    ['interval', args.every],
    ['once', args.at],
  ].filter((x): x is [ScheduleType, string] => x[1] !== undefined)
  const only = given[0]
  if (given.length !== 1 || !only)
    throw new InvalidInputError(
      'give exactly one schedule: --cron "<expr>", --every <interval> or --at <time>',
    )
  return { scheduleType: only[0], scheduleValue: only[1] }
}

const idArg = {
  id: { type: 'positional', description: 'Task id (see `ngb tasks ls`)', required: true },
} as const

const ls = withExamples(
  defineCommand({
    meta: { name: 'ls', description: 'List scheduled tasks' },
    args: {
      ...globalArgs,
      group: { type: 'string', description: 'Only this group', valueHint: 'folder' },
      json: { type: 'boolean', description: 'Print JSON' },
    },
    async run({ args }) {
      const tasks = await withAdmin(args, (a) => a.listTasks({ groupFolder: args.group }))
      if (args.json) return printJson(tasks)
      if (tasks.length === 0) return note('no tasks; add one with `ngb tasks add <group> --cron … -p …`')
      const rows = tasks.map((t) => [
        t.id,
        t.groupFolder,
        schedule(t),
        t.status,
        t.status === 'active' ? formatWhen(t.nextRunAt) : '-',
        clip(t.prompt, 40),
      ])
      process.stdout.write(
        `${formatTable(['ID', 'GROUP', 'SCHEDULE', 'STATUS', 'NEXT RUN', 'PROMPT'], rows)}\n`,
      )
    },
  }),
  ['ngb tasks ls', 'ngb tasks ls --group main --json'],
)

const add = withExamples(
  defineCommand({
    meta: { name: 'add', description: 'Schedule a prompt for a group: cron, interval or once' },
    args: {
      ...globalArgs,
      group: { type: 'positional', description: 'Group folder', required: true },
      prompt: { type: 'string', alias: 'p', description: 'What the agent should do', required: true },
      cron: { type: 'string', description: 'Cron expression (5 fields, in NGB_TZ)', valueHint: 'expr' },
      every: { type: 'string', description: 'Interval: 30s, 5m, 1h, 1d or ms', valueHint: 'interval' },
      at: { type: 'string', description: 'Once, at an ISO time (NGB_TZ) or "now"', valueHint: 'time' },
      chat: {
        type: 'string',
        description: "Where results go (default: the group's first chat)",
        valueHint: 'jid',
      },
      context: {
        type: 'string',
        description: 'isolated (fresh session, default) or group (the group session)',
        valueHint: 'mode',
      },
      json: { type: 'boolean', description: 'Print the task as JSON' },
    },
    async run({ args }) {
      const context = args.context
      if (context !== undefined && context !== 'group' && context !== 'isolated')
        throw new InvalidInputError(`--context must be group or isolated, not "${context}"`)
      if (args.chat !== undefined) parseJid(args.chat)
      const task = await withAdmin(args, (a) =>
        a.addTask({
          groupFolder: args.group,
          prompt: args.prompt,
          ...scheduleOf(args),
          contextMode: context as ContextMode | undefined,
          chatJid: args.chat,
        }),
      )
      if (args.json) return printJson(task)
      process.stdout.write(`${task.id}\n`)
      note(`scheduled ${schedule(task)} for ${task.groupFolder}; next run ${formatWhen(task.nextRunAt)}`)
    },
  }),
  [
    'ngb tasks add main --cron "0 9 * * 1-5" -p "Summarise yesterday\'s messages"',
    'ngb tasks add ops --every 30m -p "Check the build" --chat slack:channel:C0123',
    'ngb tasks add main --at 2026-12-24T18:00 -p "Say merry Christmas"',
  ],
)

function statusCommand(name: 'pause' | 'resume' | 'rm', description: string) {
  const cmd = defineCommand({
    meta: { name, description },
    args: { ...globalArgs, ...idArg },
    async run({ args }) {
      const task = await withAdmin(args, (a) =>
        name === 'pause'
          ? a.pauseTask(args.id)
          : name === 'resume'
            ? a.resumeTask(args.id)
            : a.removeTask(args.id),
      )
      const done = name === 'rm' ? 'removed' : name === 'pause' ? 'paused' : 'resumed'
      process.stdout.write(
        `${done} ${task.id}${name === 'resume' ? `; next run ${formatWhen(task.nextRunAt)}` : ''}\n`,
      )
    },
  })
  return withExamples(cmd, [`ngb tasks ${name} task-1764…`])
}

const runs = withExamples(
  defineCommand({
    meta: { name: 'runs', description: "A task's run history, newest first" },
    args: {
      ...globalArgs,
      ...idArg,
      lines: { type: 'string', alias: 'n', description: 'How many runs', default: '20' },
      json: { type: 'boolean', description: 'Print JSON' },
    },
    async run({ args }) {
      const limit = Number(args.lines)
      if (!Number.isSafeInteger(limit) || limit < 1)
        throw new InvalidInputError(`-n expects a positive whole number, got "${args.lines}"`)
      const list = await withAdmin(args, (a) => a.taskRuns(args.id, limit))
      if (args.json) return printJson(list)
      if (list.length === 0) return note(`task ${args.id} has not run yet`)
      const rows = list.map((r) => [
        formatWhen(r.startedAt),
        r.status,
        r.finishedAt ? `${((r.finishedAt - r.startedAt) / 1000).toFixed(1)}s` : '-',
        clip(r.error ?? r.result ?? '', 60),
      ])
      process.stdout.write(`${formatTable(['STARTED', 'STATUS', 'TOOK', 'RESULT'], rows)}\n`)
    },
  }),
  ['ngb tasks runs task-1764… -n 5'],
)

export default withExamples(
  defineCommand({
    meta: { name: 'tasks', description: 'Manage scheduled tasks' },
    subCommands: {
      ls,
      add,
      pause: statusCommand('pause', 'Pause a task (it keeps its schedule)'),
      resume: statusCommand('resume', 'Resume a paused task'),
      rm: statusCommand('rm', 'Delete a task and its run history'),
      runs,
    },
  }),
  ['ngb tasks add main --cron "0 9 * * *" -p "Morning summary"', 'ngb tasks ls', 'ngb tasks runs <id>'],
)
