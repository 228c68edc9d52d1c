import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { readServeFile } from '../../../src/cli/serve-file.ts'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import type { CliResult } from '../../helpers/cli.ts'
import { runNgb } from '../../helpers/cli.ts'
import type { LiveNgb } from '../../helpers/spawn-ngb.ts'
import { spawnNgb } from '../../helpers/spawn-ngb.ts'
import { tempDir } from '../../helpers/temp.ts'
import { waitFor } from '../../helpers/wait.ts'

/**
 * One admin rule, one behaviour: every scenario runs on two data dirs in the same state, once with
 * no server (the CLI opens the database) and once while `ngb serve` runs (the CLI finds serve.json
 * and goes through the API). Both answers must be equal to each other and to the expected one.
 */

const env = { NGB_TZ: 'UTC' }
const local = tempDir('ngb-parity-local-')
const served = tempDir('ngb-parity-served-')
let serve: LiveNgb | undefined

/** Per data dir: the id of the last task `tasks add` created there (ids are random). */
const lastTask = new Map<string, string>()

async function ngb(dataDir: string, args: string[]): Promise<CliResult> {
  const task = lastTask.get(dataDir) ?? 'task-none'
  return runNgb([...args.map((a) => (a === '{task}' ? task : a)), '--data-dir', dataDir], { env })
}

/** What may differ between two runs of the same command: generated ids, tokens and clock readings. */
function normalize(text: string): string {
  return text
    .replace(/task-\d+-[a-z0-9]+/g, '<task>')
    .replace(/ngb-[0-9a-f]{12}/g, '<token>')
    .replace(/"(\w+At)": \d+/g, '"$1": <time>')
    .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?/g, '<when>')
}

/** A chat ngb has seen (it wrote to the bot) but nobody bound yet. */
function seedSeenChat(dataDir: string, jid: string): void {
  const db = openDatabase(join(dataDir, 'ngb.db'))
  try {
    createRepos(db).chats.upsert(
      { jid, platform: jid.split(':')[0] ?? '', isGroup: true, lastMessageAt: 1 },
      1,
    )
  } finally {
    db.close()
  }
}

interface Scenario {
  name: string
  args: string[]
  code: number
  /** Checked on the (equal) stdout of both paths. */
  stdout?: string | RegExp | ((out: string) => void)
  /** Checked on the (equal) stderr of both paths. */
  stderr?: string | RegExp
  /** Run on both data dirs before the command. */
  before?: (dataDir: string) => void
}

const taskJson = (check: (t: Record<string, unknown>) => void) => (out: string) =>
  check(JSON.parse(out) as Record<string, unknown>)

const SCENARIOS: Scenario[] = [
  {
    name: 'groups add: the first group is main',
    args: ['groups', 'add', 'main'],
    code: 0,
    stdout: 'created group main (main), trigger always\n',
  },
  {
    name: 'groups add: a second group, name defaults to the folder',
    args: ['groups', 'add', 'fam', '--json'],
    code: 0,
    stdout: taskJson((g) =>
      expect(g).toMatchObject({ folder: 'fam', name: 'fam', isMain: false, triggerMode: 'mention' }),
    ),
  },
  {
    name: 'groups add: bad folder',
    args: ['groups', 'add', 'Not_Valid'],
    code: 2,
    stderr: /^ngb: invalid group folder "Not_Valid": use 1-64 lowercase/,
  },
  {
    name: 'groups add: reserved folder',
    args: ['groups', 'add', 'kill'],
    code: 2,
    stderr: /^ngb: the folder name "kill" is reserved; pick another\n/,
  },
  { name: 'groups add: duplicate', args: ['groups', 'add', 'main'], code: 1, stderr: /^ngb: .*main/ },
  {
    name: 'groups rm: unknown group',
    args: ['groups', 'rm', 'ghost'],
    code: 1,
    stderr: 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n',
  },
  {
    name: 'groups rm: malformed folder is an unknown group',
    args: ['groups', 'rm', 'No_Such'],
    code: 1,
    stderr: 'ngb: group "No_Such" does not exist (see `ngb groups ls`)\n',
  },
  {
    name: 'groups bind: a chat ngb has not seen yet is accepted',
    args: ['groups', 'bind', 'fam', 'telegram:group:-100'],
    code: 0,
    stdout: 'bound telegram:group:-100 to fam\n',
  },
  {
    name: 'groups bind: a seen, unbound chat',
    args: ['groups', 'bind', 'main', 'discord:channel:7'],
    code: 0,
    stdout: 'bound discord:channel:7 to main\n',
    before: (d) => seedSeenChat(d, 'discord:channel:7'),
  },
  {
    name: 'groups bind: the same binding again is a no-op',
    args: ['groups', 'bind', 'main', 'discord:channel:7'],
    code: 0,
  },
  {
    name: 'groups bind: unknown group',
    args: ['groups', 'bind', 'ghost', 'telegram:1'],
    code: 1,
    stderr: 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n',
  },
  {
    name: 'groups bind: bad chat id',
    args: ['groups', 'bind', 'fam', 'no-jid'],
    code: 2,
    stderr: /^ngb: invalid chat id "no-jid"/,
  },
  {
    name: 'groups bind: a chat bound elsewhere without --move is a conflict',
    args: ['groups', 'bind', 'main', 'telegram:group:-100'],
    code: 1,
    stderr:
      'ngb: chat telegram:group:-100 is bound to group "fam"; unbind it first (a chat binds to one group)\n',
  },
  {
    name: 'groups bind: with --move it moves',
    args: ['groups', 'bind', 'main', 'telegram:group:-100', '--move'],
    code: 0,
    stdout: 'bound telegram:group:-100 to main\n',
  },
  {
    name: 'groups ls: the move is visible',
    args: ['groups', 'ls', '--json'],
    code: 0,
    stdout: (out) =>
      expect(
        (JSON.parse(out) as Array<{ folder: string; chats: string[] }>).map((g) => [g.folder, g.chats]),
      ).toEqual([
        ['main', ['discord:channel:7', 'telegram:group:-100']],
        ['fam', []],
      ]),
  },
  {
    name: 'groups unbind',
    args: ['groups', 'unbind', 'telegram:group:-100'],
    code: 0,
    stdout: 'unbound telegram:group:-100\n',
  },
  {
    name: 'groups unbind: not bound',
    args: ['groups', 'unbind', 'telegram:group:-100'],
    code: 1,
    stderr: 'telegram:group:-100 was not bound to any group\n',
  },
  {
    name: 'groups token',
    args: ['groups', 'token', 'fam', '--ttl', '2h', '--json'],
    code: 0,
    stdout: taskJson((t) => expect(Number(t.expiresAt) - Number(t.createdAt)).toBe(7_200_000)),
  },
  {
    name: 'groups token: unknown group',
    args: ['groups', 'token', 'ghost'],
    code: 1,
    stderr: 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n',
  },
  {
    name: "tasks add: no chat → the group's first bound chat",
    args: ['tasks', 'add', 'main', '--every', '1h', '-p', 'Check', '--json'],
    code: 0,
    stdout: taskJson((t) =>
      expect(t).toMatchObject({
        groupFolder: 'main',
        chatJid: 'discord:channel:7',
        scheduleType: 'interval',
      }),
    ),
  },
  {
    name: 'tasks add: no chat and none bound → the dashboard chat',
    args: ['tasks', 'add', 'fam', '--every', '1h', '-p', 'Check', '--json'],
    code: 0,
    stdout: taskJson((t) => expect(t).toMatchObject({ groupFolder: 'fam', chatJid: 'web:fam' })),
  },
  {
    name: 'tasks add: an explicit chat',
    args: [
      'tasks',
      'add',
      'fam',
      '--cron',
      '0 9 * * 1-5',
      '-p',
      'Report',
      '--chat',
      'slack:channel:C1',
      '--json',
    ],
    code: 0,
    stdout: taskJson((t) =>
      expect(t).toMatchObject({ chatJid: 'slack:channel:C1', scheduleType: 'cron', status: 'active' }),
    ),
  },
  {
    name: 'tasks add: bad schedule',
    args: ['tasks', 'add', 'main', '--cron', '61 * * * *', '-p', 'x'],
    code: 2,
    stderr: /^ngb: invalid cron "61 \* \* \* \*"/,
  },
  {
    name: 'tasks add: bad chat',
    args: ['tasks', 'add', 'main', '--every', '1h', '-p', 'x', '--chat', 'nope'],
    code: 2,
    stderr: /^ngb: invalid chat id "nope"/,
  },
  {
    name: 'tasks add: unknown group',
    args: ['tasks', 'add', 'ghost', '--every', '1h', '-p', 'x'],
    code: 1,
    stderr: 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n',
  },
  { name: 'tasks pause', args: ['tasks', 'pause', '{task}'], code: 0, stdout: 'paused <task>\n' },
  {
    name: 'tasks resume',
    args: ['tasks', 'resume', '{task}'],
    code: 0,
    stdout: /^resumed <task>; next run <when>/,
  },
  { name: 'tasks rm', args: ['tasks', 'rm', '{task}'], code: 0, stdout: 'removed <task>\n' },
  {
    name: 'tasks pause: unknown id',
    args: ['tasks', 'pause', 'task-nope'],
    code: 1,
    stderr: 'ngb: task "task-nope" does not exist (see `ngb tasks ls`)\n',
  },
  {
    name: 'tasks resume: unknown id',
    args: ['tasks', 'resume', 'task-nope'],
    code: 1,
    stderr: 'ngb: task "task-nope" does not exist (see `ngb tasks ls`)\n',
  },
  {
    name: 'tasks rm: unknown id',
    args: ['tasks', 'rm', 'task-nope'],
    code: 1,
    stderr: 'ngb: task "task-nope" does not exist (see `ngb tasks ls`)\n',
  },
  {
    name: 'tasks ls',
    args: ['tasks', 'ls', '--json'],
    code: 0,
    stdout: (out) =>
      expect((JSON.parse(out) as Array<{ chatJid: string }>).map((t) => t.chatJid)).toEqual([
        'discord:channel:7',
        'web:fam',
      ]),
  },
  {
    name: 'chats ls',
    args: ['chats', 'ls', '--json'],
    code: 0,
    stdout: (out) =>
      expect(
        (JSON.parse(out) as Array<{ jid: string; groupFolder?: string }>)
          .map((c) => [c.jid, c.groupFolder ?? null])
          .sort(),
      ).toEqual([
        ['discord:channel:7', 'main'],
        ['telegram:group:-100', null],
      ]),
  },
  {
    name: 'groups rm: the main group needs --force',
    args: ['groups', 'rm', 'main'],
    code: 1,
    stderr: /^ngb: "main" is the main group; removing it takes away admin powers/,
  },
  {
    name: 'groups rm: --force',
    args: ['groups', 'rm', 'main', '--force'],
    code: 0,
    stdout: 'removed group main\n',
  },
]

function check(value: string, want: string | RegExp | ((out: string) => void) | undefined): void {
  if (want === undefined) return
  if (typeof want === 'function') want(value)
  else if (typeof want === 'string') expect(normalize(value)).toBe(want)
  else expect(normalize(value)).toMatch(want)
}

beforeAll(async () => {
  serve = spawnNgb(['serve', '--port', '0', '--data-dir', served], {
    env: { ...env, NGB_ADMIN_PASSWORD: 'parity-admin-password' },
  })
  await waitFor(() => readServeFile(served), 'serve.json of the served data dir', 20_000)
})

afterAll(async () => {
  serve?.proc.kill('SIGTERM')
  await serve?.exited
})

describe('admin parity: the database directly and a running ngb serve answer alike', () => {
  test('the two paths really differ in transport', async () => {
    const [a, b] = await Promise.all([
      ngb(local, ['chats', 'ls', '--debug']),
      ngb(served, ['chats', 'ls', '--debug']),
    ])
    expect(a.stderr).toContain('(via database ')
    expect(b.stderr).toContain(`(via api ${readServeFile(served)?.url ?? '?'})`)
  })

  for (const s of SCENARIOS) {
    test(s.name, async () => {
      s.before?.(local)
      s.before?.(served)
      const [a, b] = await Promise.all([ngb(local, s.args), ngb(served, s.args)])
      for (const [dir, r] of [
        [local, a],
        [served, b],
      ] as const) {
        const id = /^(task-\d+-[a-z0-9]+)/.exec(r.stdout) ?? /"id": "(task-[^"]+)"/.exec(r.stdout)
        if (s.args[0] === 'tasks' && s.args[1] === 'add' && id?.[1]) lastTask.set(dir, id[1])
      }
      expect({ code: b.code, stdout: normalize(b.stdout), stderr: normalize(b.stderr) }).toEqual({
        code: a.code,
        stdout: normalize(a.stdout),
        stderr: normalize(a.stderr),
      })
      expect(a.code).toBe(s.code)
      check(a.stdout, s.stdout)
      check(a.stderr, s.stderr)
    })
  }
})
