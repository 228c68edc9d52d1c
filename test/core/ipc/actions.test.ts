import { describe, expect, test } from 'bun:test'
import { NotFoundError } from '../../../src/core/errors.ts'
import type { RegisterGroupInput } from '../../../src/core/ipc/actions.ts'
import { createIpcActions } from '../../../src/core/ipc/actions.ts'
import type { NewTask } from '../../../src/core/tasks.ts'
import type { Group, Task } from '../../../src/core/types.ts'
import { createMemoryLogger } from '../../../src/util/log.ts'
import { hourlyTask } from '../../helpers/tasks.ts'

const group = (folder: string, isMain = false): Group => ({
  folder,
  name: folder,
  isMain,
  triggerMode: 'always',
  settings: {},
  createdAt: 0,
})
const GROUPS = { main: group('main', true), alpha: group('alpha'), beta: group('beta') }
const CHAT = { main: 'telegram:group:1', alpha: 'telegram:group:2', beta: 'telegram:group:3' }
const UNBOUND = 'telegram:group:9'
const OWNER: Record<string, Group> = {
  [CHAT.main]: GROUPS.main,
  [CHAT.alpha]: GROUPS.alpha,
  [CHAT.beta]: GROUPS.beta,
}
const task = (id: string, groupFolder: string): Task => hourlyTask(id, groupFolder)

/** Plain objects only: every call the actions make is recorded, nothing is real but the rules. */
function setup() {
  const sent: Array<{ chatJid: string; text: string; group: string }> = []
  const created: NewTask[] = []
  const changed: string[] = []
  const registered: RegisterGroupInput[] = []
  const tasks: Record<string, Task> = {
    'task-main': task('task-main', 'main'),
    'task-alpha': task('task-alpha', 'alpha'),
    'task-beta': task('task-beta', 'beta'),
  }
  const log = createMemoryLogger()
  const get = (id: string) => {
    const t = tasks[id]
    if (!t) throw new NotFoundError(`task "${id}" does not exist`)
    return t
  }
  const actions = createIpcActions({
    groups: { get: (f) => GROUPS[f as keyof typeof GROUPS] },
    groupOfChat: (jid) => OWNER[jid],
    chatsOf: (folder) => [CHAT[folder as keyof typeof CHAT]].filter(Boolean),
    tasks: {
      get,
      create: (input) => {
        created.push(input)
        return { ...task('task-new', input.groupFolder), chatJid: input.chatJid ?? '' }
      },
      pause: (id) => {
        changed.push(`pause:${id}`)
        return get(id)
      },
      resume: (id) => {
        changed.push(`resume:${id}`)
        return get(id)
      },
      cancel: (id) => {
        changed.push(`cancel:${id}`)
        return get(id)
      },
    },
    sendMessage: async ({ chatJid, text, group }) => {
      sent.push({ chatJid, text, group: group ?? '' })
      return { sent: true }
    },
    registerGroup: (input) => {
      registered.push(input)
      return group(input.folder)
    },
    log,
  })
  const refusals = () => log.records.filter((r) => r.msg === 'agent action refused')
  return { actions, sent, created, changed, registered, refusals }
}

describe('send_message authorization: main vs non-main × own, foreign and unbound chats', () => {
  test.each([
    ['main', CHAT.main, true],
    ['main', CHAT.alpha, true],
    ['main', UNBOUND, true],
    ['alpha', CHAT.alpha, true],
    ['alpha', CHAT.main, false],
    ['alpha', CHAT.beta, false],
    ['alpha', UNBOUND, false],
  ])('%s → %s allowed: %p', async (from, chatJid, allowed) => {
    const s = setup()
    const outcome = await s.actions.message(from, { type: 'message', chatJid, text: 'hi' })
    expect(outcome.kind).toBe(allowed ? 'done' : 'refused')
    expect(s.sent).toEqual(allowed ? [{ chatJid, text: 'hi', group: from }] : [])
    expect(s.refusals()).toHaveLength(allowed ? 0 : 1)
  })

  test('identity is the directory: fields claiming to be main change nothing', async () => {
    const s = setup()
    const outcome = await s.actions.message('alpha', {
      type: 'message',
      chatJid: CHAT.beta,
      text: 'hi',
      groupFolder: 'main',
      isMain: true,
    })
    expect(outcome.kind).toBe('refused')
    expect(s.sent).toEqual([])
  })

  test('a directory that is no registered group may do nothing', async () => {
    const s = setup()
    expect((await s.actions.message('ghost', { type: 'message', chatJid: UNBOUND, text: 'x' })).kind).toBe(
      'refused',
    )
    expect((await s.actions.task('ghost', { type: 'cancel_task', taskId: 'task-main' })).kind).toBe('refused')
    expect(s.sent).toEqual([])
    expect(s.changed).toEqual([])
  })
})

describe('task changes: main vs non-main × own and foreign tasks', () => {
  const ops = ['pause_task', 'resume_task', 'cancel_task'] as const
  const cases = ops.flatMap(
    (op) =>
      [
        ['main', op, 'task-main', true],
        ['main', op, 'task-alpha', true],
        ['alpha', op, 'task-alpha', true],
        ['alpha', op, 'task-main', false],
        ['alpha', op, 'task-beta', false],
      ] as const,
  )
  test.each(cases)('%s %s %s allowed: %p', async (from, op, taskId, allowed) => {
    const s = setup()
    const outcome = await s.actions.task(from, { type: op, taskId })
    expect(outcome.kind).toBe(allowed ? 'done' : 'refused')
    expect(s.changed).toEqual(allowed ? [`${op.replace('_task', '')}:${taskId}`] : [])
  })

  test('an unknown task id is invalid, not a crash', async () => {
    const s = setup()
    expect(await s.actions.task('main', { type: 'pause_task', taskId: 'task-404' })).toEqual({
      kind: 'invalid',
      reason: 'task "task-404" does not exist',
    })
  })
})

describe('schedule_task: who the task belongs to and who may create it', () => {
  const schedule = (targetJid?: string) => ({
    type: 'schedule_task',
    prompt: 'report',
    scheduleType: 'interval',
    scheduleValue: '1h',
    targetJid,
  })
  test.each([
    ['main', CHAT.main, 'main'],
    ['main', CHAT.alpha, 'alpha'],
    ['main', UNBOUND, 'main'],
    ['main', undefined, 'main'],
    ['alpha', CHAT.alpha, 'alpha'],
    ['alpha', undefined, 'alpha'],
    ['alpha', CHAT.beta, undefined],
    ['alpha', CHAT.main, undefined],
    ['alpha', UNBOUND, undefined],
  ])('%s for chat %p → task of %p', async (from, targetJid, owner) => {
    const s = setup()
    const outcome = await s.actions.task(from, schedule(targetJid))
    expect(outcome.kind).toBe(owner ? 'done' : 'refused')
    expect(s.created.map((c) => c.groupFolder)).toEqual(owner ? [owner] : [])
    if (owner) expect(s.created[0]?.chatJid).toBe(targetJid ?? CHAT[from as keyof typeof CHAT])
  })

  test('an invalid chat id is invalid input', async () => {
    const s = setup()
    expect((await s.actions.task('main', schedule('nonsense'))).kind).toBe('invalid')
  })
})

describe('register_group', () => {
  const reg = { type: 'register_group', jid: UNBOUND, name: 'New', folder: 'new-group', trigger: 'mention' }
  test('main may register a group', async () => {
    const s = setup()
    expect(await s.actions.task('main', reg)).toEqual({ kind: 'done', detail: 'new-group' })
    expect(s.registered).toEqual([
      { jid: UNBOUND, name: 'New', folder: 'new-group', triggerMode: 'mention', triggerPattern: undefined },
    ])
  })
  test('a non-main group may not, and the refusal is logged', async () => {
    const s = setup()
    expect((await s.actions.task('alpha', reg)).kind).toBe('refused')
    expect(s.registered).toEqual([])
    expect(s.refusals()[0]).toMatchObject({ group: 'alpha', action: 'register_group' })
  })
})

describe('bad payloads', () => {
  test.each([
    ['message', { type: 'message', chatJid: CHAT.main }, 'invalid'],
    ['message', { type: 'message', chatJid: CHAT.main, text: '' }, 'invalid'],
    ['message', { type: 'shout', text: 'x' }, 'unknown'],
    ['message', null, 'invalid'],
    ['message', [1, 2], 'invalid'],
    ['task', { type: 'reboot_host' }, 'unknown'],
    ['task', { taskId: 'x' }, 'unknown'],
    ['task', { type: 'schedule_task', prompt: 'p', scheduleType: 'hourly', scheduleValue: '1' }, 'invalid'],
    ['task', { type: 'register_group', jid: UNBOUND, name: 'x', folder: '../etc' }, 'invalid'],
  ] as const)('%s %p is %s', async (dir, data, kind) => {
    const s = setup()
    const outcome =
      dir === 'message' ? await s.actions.message('main', data) : await s.actions.task('main', data)
    expect(outcome.kind).toBe(kind)
    expect(s.sent).toEqual([])
    expect(s.created).toEqual([])
  })
})
