import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConflictError, InvalidInputError, NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { GroupsService } from '../services.ts'

const FOLDER = /^[a-z0-9][a-z0-9-]{0,63}$/
const TOKEN_TTL_MS = 60 * 60_000
const MEMORY_MAX_BYTES = 512 * 1024

export interface FallbackGroupsDeps {
  repos: Pick<Repos, 'groups' | 'chats' | 'bindTokens'>
  bus: EventBus
  groupsDir: string
  now: () => number
}

export function checkTriggerPattern(pattern: string | undefined, mode: string | undefined) {
  if (mode === 'pattern' && !pattern)
    throw new InvalidInputError('a pattern trigger needs a pattern', 'triggerPattern')
  if (pattern === undefined) return
  try {
    new RegExp(pattern)
  } catch (error) {
    throw new InvalidInputError(`not a valid regular expression: ${String(error)}`, 'triggerPattern')
  }
}

/** Group management over the repos until the core groups service is wired in. */
export function createFallbackGroups(deps: FallbackGroupsDeps): GroupsService {
  const { repos, bus } = deps
  const memoryPath = (folder: string) => join(deps.groupsDir, folder, 'CLAUDE.md')
  const service: GroupsService = {
    list: () => repos.groups.list(),
    get(folder) {
      const g = repos.groups.get(folder)
      if (!g) throw new NotFoundError(`group "${folder}" does not exist`)
      return g
    },
    create(input) {
      if (!FOLDER.test(input.folder) || input.folder === 'global')
        throw new InvalidInputError(
          'folder must be 1-64 of a-z, 0-9 and -, starting with a letter or digit',
          'folder',
        )
      checkTriggerPattern(input.triggerPattern, input.triggerMode)
      const isMain = repos.groups.list().length === 0
      const g = repos.groups.create(
        {
          folder: input.folder,
          name: input.name,
          isMain,
          triggerMode: input.triggerMode ?? (isMain ? 'always' : 'mention'),
          triggerPattern: input.triggerPattern,
          settings: input.settings,
        },
        deps.now(),
      )
      mkdirSync(join(deps.groupsDir, g.folder), { recursive: true })
      bus.publish({ type: 'group.changed', group: g.folder, action: 'created' })
      return g
    },
    update(folder, patch) {
      service.get(folder)
      checkTriggerPattern(patch.triggerPattern, patch.triggerMode)
      const g = repos.groups.update(folder, patch)
      bus.publish({ type: 'group.changed', group: folder, action: 'updated' })
      return g
    },
    remove(folder) {
      const g = service.get(folder)
      if (g.isMain) throw new ConflictError('the main group cannot be removed')
      repos.groups.remove(folder)
      rmSync(join(deps.groupsDir, folder), { recursive: true, force: true })
      bus.publish({ type: 'group.changed', group: folder, action: 'removed' })
    },
    readMemory(folder) {
      service.get(folder)
      const p = memoryPath(folder)
      return existsSync(p) ? readFileSync(p, 'utf8') : ''
    },
    writeMemory(folder, text) {
      service.get(folder)
      if (Buffer.byteLength(text) > MEMORY_MAX_BYTES)
        throw new InvalidInputError('CLAUDE.md is limited to 512 KiB', 'text')
      mkdirSync(join(deps.groupsDir, folder), { recursive: true })
      const p = memoryPath(folder)
      writeFileSync(`${p}.tmp`, text)
      // rename is atomic: the agent never reads a half-written memory file.
      renameSync(`${p}.tmp`, p)
    },
    chatsOf: (folder) => {
      service.get(folder)
      return repos.chats.chatsOf(folder)
    },
    bind(folder, chatJid) {
      service.get(folder)
      if (!repos.chats.get(chatJid)) throw new NotFoundError(`chat "${chatJid}" is not known`)
      repos.chats.bind(chatJid, folder, deps.now())
      bus.publish({ type: 'chat.bound', group: folder, chatJid })
    },
    unbind(chatJid) {
      const b = repos.chats.bindingOf(chatJid)
      if (!b) throw new NotFoundError(`chat "${chatJid}" is not bound`)
      repos.chats.unbind(chatJid)
      bus.publish({ type: 'chat.unbound', group: b.groupFolder, chatJid })
    },
    createBindToken(folder) {
      service.get(folder)
      const hex = Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString('hex')
      return repos.bindTokens.create(`ngb-${hex}`, folder, deps.now(), TOKEN_TTL_MS)
    },
    activeBindTokens(folder) {
      const all = repos.bindTokens.listActive(deps.now())
      return folder ? all.filter((t) => t.groupFolder === folder) : all
    },
  }
  return service
}
