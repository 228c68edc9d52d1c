import { basename } from 'node:path'
import type { BindToken, BindTokensRepo } from '../db/repos/bind-tokens.ts'
import type { ChatsRepo, ChatWithBinding } from '../db/repos/chats.ts'
import type { GroupPatch, GroupsRepo } from '../db/repos/groups.ts'
import { FOLDER_PATTERN } from '../protocol/container.ts'
import type { Clock } from '../util/clock.ts'
import { ensureDir, ensureRoot, safeList, safeWrite } from '../util/safe-fs/index.ts'
import { checkContainerPath } from './container/allowlist.ts'
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from './errors.ts'
import type { EventBus } from './events.ts'
import { chatOf, parseJid } from './jid.ts'
import { compileTriggerPattern } from './trigger.ts'
import type { ExtraMount, Group, GroupSettings, TriggerMode } from './types.ts'

/** `ngb-` + 12 hex: short enough to type into a phone, 48 bits so it cannot be guessed in its lifetime. */
export const BIND_TOKEN_PATTERN = /^ngb-[0-9a-f]{12}$/
export const DEFAULT_BIND_TOKEN_TTL_MS = 15 * 60_000
/**
 * `groups/global` is the shared read-only memory mounted into every non-main group; `ls`, `kill`,
 * `resume` and `reset` are `ngb session` subcommands, so `ngb session <group>` could not reach such a group.
 */
const RESERVED_FOLDERS = new Set(['global', 'ls', 'kill', 'resume', 'reset'])
/** Built-in platforms whose JID id is the group folder; they bind themselves on first use. */
const SELF_BINDING_PLATFORMS = new Set(['web', 'cli'])

export interface GroupsServiceDeps {
  repos: { groups: GroupsRepo; chats: ChatsRepo; bindTokens: BindTokensRepo }
  bus: EventBus
  clock: Pick<Clock, 'now'>
  /** `<data dir>/groups`: each group gets `<folder>/CLAUDE.md` there. */
  groupsDir: string
  bindTokenTtlMs?: number
  /**
   * Why an extra mount would be skipped at run time (the allowlist), checked when a group's
   * mounts are saved; without it only the container path's form is checked.
   */
  checkMount?: (mount: ExtraMount, isMain: boolean) => string | undefined
}

export interface CreateGroupInput {
  folder: string
  name?: string
  triggerMode?: TriggerMode
  triggerPattern?: string
  settings?: GroupSettings
}

export interface BindOptions {
  /** Move the chat if it is bound to another group (otherwise that is a conflict). */
  move?: boolean
}

export interface UnbindOptions {
  /** A chat that is not bound is an error (NotFoundError) instead of `false`. */
  mustBeBound?: boolean
}

export type RedeemOutcome =
  | { ok: true; group: Group; chatJid: string }
  | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'group_missing' }

export interface GroupsService {
  list(): Group[]
  get(folder: string): Group | undefined
  /** Throws NotFoundError naming the folder. */
  require(folder: string): Group
  createGroup(input: CreateGroupInput): Group
  updateGroup(folder: string, patch: GroupPatch): Group
  /** Refuses the main group unless forced. Bindings go with it; the folder on disk is kept. */
  removeGroup(folder: string, opts?: { force?: boolean }): void
  /**
   * The one bind rule for every path (CLI, API, dashboard): the group must exist; a chat bound to
   * another group is a conflict unless `move`; a chat ngb has not seen yet is accepted (an admin
   * may bind a chat before its first message) and recorded.
   */
  bind(chatJid: string, folder: string, opts?: BindOptions): void
  /** `false` when the chat was not bound (or NotFoundError with `mustBeBound`). */
  unbind(chatJid: string, opts?: UnbindOptions): boolean
  /** The group a chat (or a thread of it) is bound to; `web:`/`cli:` JIDs bind themselves. */
  groupOfChat(jid: string): Group | undefined
  createBindToken(folder: string, ttlMs?: number): BindToken
  isBindToken(text: string): boolean
  redeemToken(token: string, chatJid: string): RedeemOutcome
  listUnboundChats(): ChatWithBinding[]
}

function validateFolder(folder: string): void {
  if (!FOLDER_PATTERN.test(folder)) {
    throw new InvalidInputError(
      `invalid group folder "${folder}": use 1-64 lowercase letters, digits and dashes, starting with a letter or digit`,
      'folder',
    )
  }
  if (RESERVED_FOLDERS.has(folder)) {
    throw new InvalidInputError(`the folder name "${folder}" is reserved; pick another`, 'folder')
  }
}

const MAX_NAME_CHARS = 100

/** The display name defaults to the folder. */
function groupName(name: string | undefined, folder: string): string {
  const trimmed = name?.trim() ?? ''
  if (trimmed.length > MAX_NAME_CHARS)
    throw new InvalidInputError(`the group name is longer than ${MAX_NAME_CHARS} characters`, 'name')
  return trimmed || folder
}

function validateTrigger(mode: TriggerMode, pattern: string | undefined): void {
  if (mode === 'pattern') {
    if (!pattern)
      throw new InvalidInputError('trigger mode "pattern" needs a trigger pattern', 'triggerPattern')
    compileTriggerPattern(pattern)
  } else if (pattern) {
    compileTriggerPattern(pattern)
  }
}

function memoryFile(group: { name: string; isMain: boolean }): string {
  return [
    `# ${group.name}`,
    '',
    group.isMain
      ? 'This is the main group: the administrator’s own workspace.'
      : 'This file is this group’s memory. The agent reads it at the start of every session.',
    '',
  ].join('\n')
}

export function createGroupsService(deps: GroupsServiceDeps): GroupsService {
  const { repos, bus, clock } = deps
  const ttlDefault = deps.bindTokenTtlMs ?? DEFAULT_BIND_TOKEN_TTL_MS

  function require(folder: string): Group {
    const group = repos.groups.get(folder)
    if (!group) throw new NotFoundError(`group "${folder}" does not exist (see \`ngb groups ls\`)`)
    return group
  }

  function ensureChat(jid: string): void {
    if (repos.chats.get(jid)) return
    const parsed = parseJid(jid)
    repos.chats.upsert({ jid, platform: parsed.platform, isGroup: parsed.kind === 'group' }, clock.now())
  }

  function bindRaw(chat: string, folder: string): void {
    ensureChat(chat)
    repos.chats.bind(chat, folder, clock.now())
    bus.publish({ type: 'chat.bound', group: folder, chatJid: chat })
  }

  /** Refuses mounts that could never be used, naming each one and why. */
  function validateMounts(mounts: ExtraMount[] | undefined, isMain: boolean): void {
    mounts?.forEach((m, i) => {
      const reason =
        checkContainerPath(m.containerPath || basename(m.hostPath)) ?? deps.checkMount?.(m, isMain)
      if (reason)
        throw new InvalidInputError(`extra mount ${i + 1} (${m.hostPath}): ${reason}`, 'settings.extraMounts')
    })
  }

  const service: GroupsService = {
    list: () => repos.groups.list(),
    get: (folder) => repos.groups.get(folder),
    require,

    createGroup(input) {
      validateFolder(input.folder)
      const name = groupName(input.name, input.folder)
      // The first group is the admin's: privileged, and it answers everything by default.
      const isMain = repos.groups.main() === undefined
      const triggerMode = input.triggerMode ?? (isMain ? 'always' : 'mention')
      validateTrigger(triggerMode, input.triggerPattern)
      validateMounts(input.settings?.extraMounts, isMain)
      const group = repos.groups.create(
        {
          folder: input.folder,
          name,
          isMain,
          triggerMode,
          triggerPattern: input.triggerPattern,
          settings: input.settings,
        },
        clock.now(),
      )
      // A folder left by an earlier group of that name is the agent's: create through safe-fs, and
      // keep an existing memory file (whatever it is, it is never followed or read here).
      ensureRoot(deps.groupsDir)
      ensureDir(deps.groupsDir, group.folder)
      if (!safeList(deps.groupsDir, group.folder).some((e) => e.name === 'CLAUDE.md'))
        safeWrite(deps.groupsDir, `${group.folder}/CLAUDE.md`, memoryFile(group))
      bus.publish({ type: 'group.changed', group: group.folder, action: 'created' })
      return group
    },

    updateGroup(folder, patch) {
      const current = require(folder)
      const mode = patch.triggerMode ?? current.triggerMode
      const pattern = 'triggerPattern' in patch ? patch.triggerPattern : current.triggerPattern
      validateTrigger(mode, pattern)
      // Only a changed list is checked: an allowlist edit must not block renaming a group.
      const mounts = patch.settings?.extraMounts
      if (mounts && JSON.stringify(mounts) !== JSON.stringify(current.settings.extraMounts ?? []))
        validateMounts(mounts, current.isMain)
      // The same name rule as creation: trimmed, at most 100 characters, empty means the folder.
      const named = patch.name === undefined ? patch : { ...patch, name: groupName(patch.name, folder) }
      const updated = repos.groups.update(folder, named)
      bus.publish({ type: 'group.changed', group: folder, action: 'updated' })
      return updated
    },

    removeGroup(folder, opts = {}) {
      const group = require(folder)
      if (group.isMain && !opts.force) {
        throw new ForbiddenError(
          `"${folder}" is the main group; removing it takes away admin powers (use --force if you mean it)`,
        )
      }
      const chats = repos.chats.chatsOf(folder)
      repos.groups.remove(folder)
      for (const chatJid of chats) bus.publish({ type: 'chat.unbound', group: folder, chatJid })
      bus.publish({ type: 'group.changed', group: folder, action: 'removed' })
    },

    bind(chatJid, folder, opts = {}) {
      parseJid(chatJid)
      require(folder)
      const chat = chatOf(chatJid)
      const current = repos.chats.bindingOf(chat)
      if (current?.groupFolder === folder) return
      if (current && !opts.move) {
        throw new ConflictError(
          `chat ${chat} is bound to group "${current.groupFolder}"; unbind it first (a chat binds to one group)`,
        )
      }
      if (current) bus.publish({ type: 'chat.unbound', group: current.groupFolder, chatJid: chat })
      bindRaw(chat, folder)
    },

    unbind(chatJid, opts = {}) {
      parseJid(chatJid)
      const chat = chatOf(chatJid)
      const current = repos.chats.bindingOf(chat)
      if (!current && opts.mustBeBound) throw new NotFoundError(`${chat} was not bound to any group`)
      if (!current) return false
      repos.chats.unbind(chat)
      bus.publish({ type: 'chat.unbound', group: current.groupFolder, chatJid: chat })
      return true
    },

    groupOfChat(jid) {
      const chat = chatOf(jid)
      const binding = repos.chats.bindingOf(chat)
      if (binding) return repos.groups.get(binding.groupFolder)
      const parsed = parseJid(chat)
      if (!SELF_BINDING_PLATFORMS.has(parsed.platform) || parsed.kind) return undefined
      const group = repos.groups.get(parsed.id)
      if (group) bindRaw(chat, group.folder)
      return group
    },

    createBindToken(folder, ttlMs = ttlDefault) {
      require(folder)
      if (!(ttlMs > 0)) throw new InvalidInputError('a bind token needs a positive lifetime', 'ttlMs')
      const bytes = crypto.getRandomValues(new Uint8Array(6))
      const token = `ngb-${Buffer.from(bytes).toString('hex')}`
      return repos.bindTokens.create(token, folder, clock.now(), ttlMs)
    },

    isBindToken: (text) => BIND_TOKEN_PATTERN.test(text.trim()),

    redeemToken(token, chatJid) {
      const chat = chatOf(chatJid)
      const result = repos.bindTokens.redeem(token.trim(), chat, clock.now())
      if (!result.ok) return result
      const group = repos.groups.get(result.groupFolder)
      if (!group) return { ok: false, reason: 'group_missing' }
      // The admin handed out this token for this purpose, so it may move a chat between groups.
      service.bind(chat, group.folder, { move: true })
      return { ok: true, group, chatJid: chat }
    },

    listUnboundChats: () => repos.chats.list({ unboundOnly: true }),
  }
  return service
}
