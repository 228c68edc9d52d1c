import { join } from 'node:path'
import { SNAPSHOT_FILES } from '../../protocol/container.ts'
import { atomicWriteJson } from '../../protocol/ipc-files.ts'
import type { Group, Task } from '../types.ts'

export interface SnapshotDeps {
  ipcDir: string
  tasks: { list(opts?: { groupFolder?: string }): Task[] }
  groups: { list(): Group[] }
  /** Chat JIDs bound to a group. */
  chatsOf: (folder: string) => string[]
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

/**
 * Writes ipc/<folder>/current_tasks.json and available_groups.json before a run, so the agent can
 * list and refer to tasks and groups. Main sees everything; another group only itself and its
 * own tasks, the same line the action authorization draws.
 */
export function createSnapshotWriter(deps: SnapshotDeps): (group: Group) => void {
  return (group) => {
    const dir = join(deps.ipcDir, group.folder)
    const tasks = group.isMain ? deps.tasks.list() : deps.tasks.list({ groupFolder: group.folder })
    const groups = group.isMain ? deps.groups.list() : [group]
    const groupSnapshots: GroupSnapshot[] = groups.map((g) => ({
      folder: g.folder,
      name: g.name,
      isMain: g.isMain,
      chats: deps.chatsOf(g.folder),
    }))
    atomicWriteJson(dir, tasks.map(toSnapshot), SNAPSHOT_FILES.tasks)
    atomicWriteJson(dir, groupSnapshots, SNAPSHOT_FILES.groups)
  }
}
