import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { InvalidInputError, NotFoundError } from '../../core/errors.ts'
import type { GroupsService as CoreGroups } from '../../core/groups.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { WebGroupsService } from '../services.ts'

const MEMORY_MAX_BYTES = 512 * 1024

export interface WebGroupsDeps {
  core: CoreGroups
  repos: Pick<Repos, 'chats' | 'bindTokens'>
  groupsDir: string
  now: () => number
}

/** The core groups service plus what only the dashboard needs (memory file, binding lists). */
export function createWebGroups(deps: WebGroupsDeps): WebGroupsService {
  const { core, repos } = deps
  const memoryPath = (folder: string) => join(deps.groupsDir, folder, 'CLAUDE.md')
  return {
    list: () => core.list(),
    get: (folder) => core.require(folder),
    create: (input) => core.createGroup(input),
    update: (folder, patch) => core.updateGroup(folder, patch),
    remove: (folder) => core.removeGroup(folder),
    readMemory(folder) {
      core.require(folder)
      const p = memoryPath(folder)
      return existsSync(p) ? readFileSync(p, 'utf8') : ''
    },
    writeMemory(folder, text) {
      core.require(folder)
      if (Buffer.byteLength(text) > MEMORY_MAX_BYTES)
        throw new InvalidInputError('CLAUDE.md is limited to 512 KiB', 'text')
      mkdirSync(join(deps.groupsDir, folder), { recursive: true })
      const p = memoryPath(folder)
      writeFileSync(`${p}.tmp`, text)
      // rename is atomic: the agent never reads a half-written memory file.
      renameSync(`${p}.tmp`, p)
    },
    chatsOf(folder) {
      core.require(folder)
      return repos.chats.chatsOf(folder)
    },
    bind(folder, chatJid) {
      core.require(folder)
      if (!repos.chats.get(chatJid)) throw new NotFoundError(`chat "${chatJid}" is not known`)
      core.bind(chatJid, folder, { move: true })
    },
    unbind(chatJid) {
      if (!core.unbind(chatJid)) throw new NotFoundError(`chat "${chatJid}" is not bound`)
    },
    createBindToken: (folder) => core.createBindToken(folder),
    activeBindTokens(folder) {
      const all = repos.bindTokens.listActive(deps.now())
      return folder ? all.filter((t) => t.groupFolder === folder) : all
    },
  }
}
