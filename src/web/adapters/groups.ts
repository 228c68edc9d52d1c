import { ConflictError, InvalidInputError } from '../../core/errors.ts'
import type { GroupsService as CoreGroups } from '../../core/groups.ts'
import type { Repos } from '../../db/repos/index.ts'
import { safeRead, safeWrite, UnsafePathError } from '../../util/safe-fs/index.ts'
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
  // groups/<folder> is the agent's workspace: CLAUDE.md there may be a link or a FIFO it planted.
  const memoryRel = (folder: string) => `${folder}/CLAUDE.md`
  const refuse = (err: unknown): never => {
    if (err instanceof UnsafePathError)
      throw new ConflictError(
        `CLAUDE.md of this group is not a regular file (${err.reason}); fix the workspace by hand`,
      )
    throw err
  }
  return {
    list: () => core.list(),
    get: (folder) => core.require(folder),
    create: (input) => core.createGroup(input),
    update: (folder, patch) => core.updateGroup(folder, patch),
    remove: (folder, opts) => core.removeGroup(folder, opts),
    readMemory(folder) {
      core.require(folder)
      try {
        return safeRead(deps.groupsDir, memoryRel(folder), MEMORY_MAX_BYTES)?.text ?? ''
      } catch (err) {
        return refuse(err)
      }
    },
    writeMemory(folder, text) {
      core.require(folder)
      if (Buffer.byteLength(text) > MEMORY_MAX_BYTES)
        throw new InvalidInputError('CLAUDE.md is limited to 512 KiB', 'text')
      // Exclusive temp file + rename (atomic, and a planted CLAUDE.md link is replaced, not followed).
      try {
        safeWrite(deps.groupsDir, memoryRel(folder), text)
      } catch (err) {
        refuse(err)
      }
    },
    chatsOf(folder) {
      core.require(folder)
      return repos.chats.chatsOf(folder)
    },
    bind: (folder, chatJid, opts) => core.bind(chatJid, folder, opts),
    unbind(chatJid) {
      core.unbind(chatJid, { mustBeBound: true })
    },
    createBindToken: (folder, ttlMs) => core.createBindToken(folder, ttlMs),
    activeBindTokens(folder) {
      const all = repos.bindTokens.listActive(deps.now())
      return folder ? all.filter((t) => t.groupFolder === folder) : all
    },
  }
}
