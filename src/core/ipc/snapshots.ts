import { lstatSync } from 'node:fs'
import { join } from 'node:path'
import { SNAPSHOT_FILES } from '../../protocol/container.ts'
import type { Logger } from '../../util/log.ts'
import { ensureRoot, safeWrite } from '../../util/safe-fs/index.ts'
import { errorMessage } from '../errors.ts'
import type { Group, Task } from '../types.ts'

export interface SnapshotDeps {
  ipcDir: string
  tasks: { list(opts?: { groupFolder?: string }): Task[] }
  groups: { list(): Group[] }
  /** Chat JIDs bound to a group. */
  chatsOf: (folder: string) => string[]
  log: Logger
}

export interface TaskSnapshot {
  id: string
  groupFolder: string
  chatJid: string
  prompt: string
  scheduleType: Task['scheduleType']
  scheduleValue: string
  contextMode: Task['contextMode']
  status: Task['status']
  nextRun?: string
  lastRun?: string
  lastResult?: string
}

export interface GroupSnapshot {
  folder: string
  name: string
  isMain: boolean
  chats: string[]
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

function toSnapshot(t: Task): TaskSnapshot {
  return {
    id: t.id,
    groupFolder: t.groupFolder,
    chatJid: t.chatJid,
    prompt: t.prompt,
    scheduleType: t.scheduleType,
    scheduleValue: t.scheduleValue,
    contextMode: t.contextMode,
    status: t.status,
    nextRun: iso(t.nextRunAt),
    lastRun: iso(t.lastRunAt),
    lastResult: t.lastResult,
  }
}

/** Called before every agent run, whatever started it (message turn, task run). */
export type WriteSnapshots = (group: Group) => void

/**
 * Writes ipc/<folder>/current_tasks.json and available_groups.json before a run, so the agent can
 * list and refer to tasks and groups. Main sees everything; another group only itself and its
 * own tasks, the same line the action authorization draws. Never throws: stale snapshots only make
 * the agent's view older, so the run goes ahead and the failure is logged.
 */
export function createSnapshotWriter(deps: SnapshotDeps): WriteSnapshots {
  // What was last written per file: a run in a busy group rewrites nothing when nothing changed.
  const written = new Map<string, string>()
  const put = (group: Group, name: string, value: unknown) => {
    const file = `${group.folder}/${name}`
    const json = JSON.stringify(value)
    // Skipped only while our plain file is still there: a link planted in its place is replaced.
    const here = lstatSync(join(deps.ipcDir, file), { throwIfNoEntry: false })
    if (written.get(file) === json && here?.isFile()) return
    // ipc/<folder> is agent-writable: the snapshots go through safe-fs (a planted link is replaced).
    safeWrite(deps.ipcDir, file, json)
    written.set(file, json)
  }
  const write = (group: Group) => {
    const tasks = group.isMain ? deps.tasks.list() : deps.tasks.list({ groupFolder: group.folder })
    const groups = group.isMain ? deps.groups.list() : [group]
    const groupSnapshots: GroupSnapshot[] = groups.map((g) => ({
      folder: g.folder,
      name: g.name,
      isMain: g.isMain,
      chats: deps.chatsOf(g.folder),
    }))
    ensureRoot(deps.ipcDir)
    put(group, SNAPSHOT_FILES.tasks, tasks.map(toSnapshot))
    put(group, SNAPSHOT_FILES.groups, groupSnapshots)
  }
  return (group) => {
    try {
      write(group)
    } catch (error) {
      deps.log.warn('could not write agent snapshots', { group: group.folder, error: errorMessage(error) })
    }
  }
}
