import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SNAPSHOT_FILES } from '../../protocol/container.ts'
import { atomicWriteJson } from '../../protocol/ipc-files.ts'
import type { Logger } from '../../util/log.ts'
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
  const put = (dir: string, name: string, value: unknown) => {
    const path = join(dir, name)
    const json = JSON.stringify(value)
    if (written.get(path) === json && existsSync(path)) return
    atomicWriteJson(dir, value, name)
    written.set(path, json)
  }
  const write = (group: Group) => {
    const dir = join(deps.ipcDir, group.folder)
    const tasks = group.isMain ? deps.tasks.list() : deps.tasks.list({ groupFolder: group.folder })
    const groups = group.isMain ? deps.groups.list() : [group]
    const groupSnapshots: GroupSnapshot[] = groups.map((g) => ({
      folder: g.folder,
      name: g.name,
      isMain: g.isMain,
      chats: deps.chatsOf(g.folder),
    }))
    put(dir, SNAPSHOT_FILES.tasks, tasks.map(toSnapshot))
    put(dir, SNAPSHOT_FILES.groups, groupSnapshots)
  }
  return (group) => {
    try {
      write(group)
    } catch (error) {
      deps.log.warn('could not write agent snapshots', { group: group.folder, error: errorMessage(error) })
    }
  }
}
