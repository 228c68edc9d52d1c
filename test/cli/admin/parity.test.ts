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

const json = (check: (value: unknown) => void) => (out: string) => check(JSON.parse(out))
const GHOST = 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n'
const NO_TASK = 'ngb: task "task-nope" does not exist (see `ngb tasks ls`)\n'
const MOVE_CONFLICT =
  'ngb: chat telegram:group:-100 is bound to group "fam"; unbind it first (a chat binds to one group)\n'

type Want = Scenario['stdout']
/** A command line split on spaces; a JSON array where an argument holds spaces. */
const argv = (cmd: string): string[] => (cmd.startsWith('[') ? (JSON.parse(cmd) as string[]) : cmd.split(' '))
/** A row that succeeds (checked on stdout) and one that fails (checked on stderr). */
const ok = (name: string, cmd: string, stdout?: Want, before?: Scenario['before']): Scenario => ({
  name,
  args: argv(cmd),
  code: 0,
  stdout,
  before,
})
const fails = (name: string, cmd: string, code: number, stderr: string | RegExp): Scenario => ({
  name,
  args: argv(cmd),
  code,
  stderr,
})
const has = (want: Record<string, unknown>) => json((t) => expect(t).toMatchObject(want))

const SCENARIOS: Scenario[] = [
  ok('groups add: the first group is main', 'groups add main', 'created group main (main), trigger always\n'),
  ok(
    'groups add: the name defaults to the folder',
    'groups add fam --json',
    has({ name: 'fam', isMain: false }),
  ),
  fails(
    'groups add: bad folder',
    'groups add Not_Valid',
    2,
    /^ngb: invalid group folder "Not_Valid": use 1-64/,
  ),
  fails('groups add: reserved folder', 'groups add kill', 2, /^ngb: the folder name "kill" is reserved/),
  fails('groups add: duplicate', 'groups add main', 1, /^ngb: .*main/),
  fails('groups rm: unknown group', 'groups rm ghost', 1, GHOST),
  fails(
    'groups rm: a malformed folder is unknown',
    'groups rm No_Such',
    1,
    GHOST.replace('ghost', 'No_Such'),
  ),
  ok(
    'groups bind: a chat not seen yet',
    'groups bind fam telegram:group:-100',
    'bound telegram:group:-100 to fam\n',
  ),
  ok('groups bind: a seen, unbound chat', 'groups bind main discord:channel:7', undefined, (d) =>
    seedSeenChat(d, 'discord:channel:7'),
  ),
  ok('groups bind: the same binding again is a no-op', 'groups bind main discord:channel:7'),
  fails('groups bind: unknown group', 'groups bind ghost telegram:1', 1, GHOST),
  fails('groups bind: bad chat id', 'groups bind fam no-jid', 2, /^ngb: invalid chat id "no-jid"/),
  fails('groups bind: bound elsewhere, no --move', 'groups bind main telegram:group:-100', 1, MOVE_CONFLICT),
  ok('groups bind: --move moves it', 'groups bind main telegram:group:-100 --move'),
  ok(
    'groups ls: the move is visible',
    'groups ls --json',
    json((groups) =>
      expect((groups as Array<{ folder: string; chats: string[] }>).map((g) => [g.folder, g.chats])).toEqual([
        ['main', ['discord:channel:7', 'telegram:group:-100']],
        ['fam', []],
      ]),
    ),
  ),
  ok('groups unbind', 'groups unbind telegram:group:-100', 'unbound telegram:group:-100\n'),
  fails(
    'groups unbind: not bound',
    'groups unbind telegram:group:-100',
    1,
    /^telegram:group:-100 was not bound/,
  ),
  ok('groups token', 'groups token fam --ttl 2h --json', (out) => {
    const t = JSON.parse(out) as { expiresAt: number; createdAt: number }
    expect(t.expiresAt - t.createdAt).toBe(7_200_000)
  }),
  fails('groups token: unknown group', 'groups token ghost', 1, GHOST),
  ok(
    'tasks add: no chat → first bound chat',
    'tasks add main --every 1h -p Check --json',
    has({ chatJid: 'discord:channel:7' }),
  ),
  ok(
    'tasks add: none bound → dashboard chat',
    'tasks add fam --every 1h -p Check --json',
    has({ chatJid: 'web:fam' }),
  ),
  ok(
    'tasks add: an explicit chat',
    '["tasks","add","fam","--cron","0 9 * * 1-5","-p","Report","--chat","slack:channel:C1","--json"]',
    has({ chatJid: 'slack:channel:C1', scheduleType: 'cron', status: 'active' }),
  ),
  fails(
    'tasks add: bad schedule',
    '["tasks","add","main","--cron","61 * * * *","-p","x"]',
    2,
    /^ngb: invalid cron/,
  ),
  fails(
    'tasks add: bad chat',
    'tasks add main --every 1h -p x --chat nope',
    2,
    /^ngb: invalid chat id "nope"/,
  ),
  fails('tasks add: unknown group', 'tasks add ghost --every 1h -p x', 1, GHOST),
  ok('tasks pause', 'tasks pause {task}', 'paused <task>\n'),
  ok('tasks resume', 'tasks resume {task}', /^resumed <task>; next run <when>/),
  ok('tasks rm', 'tasks rm {task}', 'removed <task>\n'),
  fails('tasks pause: unknown id', 'tasks pause task-nope', 1, NO_TASK),
  fails('tasks resume: unknown id', 'tasks resume task-nope', 1, NO_TASK),
  fails('tasks rm: unknown id', 'tasks rm task-nope', 1, NO_TASK),
  ok(
    'tasks ls',
    'tasks ls --json',
    json((tasks) =>
      expect((tasks as Array<{ chatJid: string }>).map((t) => t.chatJid)).toEqual([
        'discord:channel:7',
        'web:fam',
      ]),
    ),
  ),
  ok(
    'chats ls',
    'chats ls --json',
    json((chats) =>
      expect(
        (chats as Array<{ jid: string; groupFolder?: string }>)
          .map((c) => [c.jid, c.groupFolder ?? null])
          .sort(),
      ).toEqual([
        ['discord:channel:7', 'main'],
        ['telegram:group:-100', null],
      ]),
    ),
  ),
  ok('groups set: clear mounts', 'groups set fam --clear-mounts', 'fam: no extra mounts\n'),
  fails('groups set: unknown group', 'groups set ghost --clear-mounts', 1, GHOST),
  fails(
    'groups set: a mount the allowlist skips',
    'groups set fam --mount /etc:/workspace/extra/etc',
    2,
    /^ngb: /,
  ),
  ok('session reset: nothing stored', 'session reset fam', 'fam had no stored session\n'),
  fails('session reset: unknown group', 'session reset ghost', 1, GHOST),
  fails('groups rm: main needs --force', 'groups rm main', 1, /^ngb: "main" is the main group; removing it/),
  ok('groups rm: --force', 'groups rm main --force', 'removed group main\n'),
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
