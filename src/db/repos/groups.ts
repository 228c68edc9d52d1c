import type { Database } from 'bun:sqlite'
import { ConflictError, NotFoundError } from '../../core/errors.ts'
import type { Group, GroupSettings, TriggerMode } from '../../core/types.ts'

interface GroupRow {
  folder: string
  name: string
  is_main: number
  trigger_mode: TriggerMode
  trigger_pattern: string | null
  settings: string
  created_at: number
}

function toGroup(r: GroupRow): Group {
  return {
    folder: r.folder,
    name: r.name,
    isMain: r.is_main === 1,
    triggerMode: r.trigger_mode,
    triggerPattern: r.trigger_pattern ?? undefined,
    settings: JSON.parse(r.settings) as GroupSettings,
    createdAt: r.created_at,
  }
}

export interface NewGroup {
  folder: string
  name: string
  isMain?: boolean
  triggerMode: TriggerMode
  triggerPattern?: string
  settings?: GroupSettings
}

export type GroupPatch = Partial<Pick<Group, 'name' | 'triggerMode' | 'triggerPattern' | 'settings'>>

export interface GroupsRepo {
  list(): Group[]
  get(folder: string): Group | undefined
  main(): Group | undefined
  create(group: NewGroup, now: number): Group
  update(folder: string, patch: GroupPatch): Group
  remove(folder: string): boolean
}

export function createGroupsRepo(db: Database): GroupsRepo {
  const byFolder = db.query<GroupRow, [string]>('SELECT * FROM groups WHERE folder = ?')
  const all = db.query<GroupRow, []>('SELECT * FROM groups ORDER BY is_main DESC, folder')
  const mainQ = db.query<GroupRow, []>('SELECT * FROM groups WHERE is_main = 1')
  const insert = db.query(
    `INSERT INTO groups (folder, name, is_main, trigger_mode, trigger_pattern, settings, created_at)
     VALUES ($folder, $name, $isMain, $triggerMode, $triggerPattern, $settings, $createdAt)`,
  )
  const del = db.query('DELETE FROM groups WHERE folder = ?')

  const repo: GroupsRepo = {
    list: () => all.all().map(toGroup),
    get(folder) {
      const row = byFolder.get(folder)
      return row ? toGroup(row) : undefined
    },
    main() {
      const row = mainQ.get()
      return row ? toGroup(row) : undefined
    },
    create(g, now) {
      if (byFolder.get(g.folder)) throw new ConflictError(`group "${g.folder}" already exists`)
      if (g.isMain && mainQ.get())
        throw new ConflictError('there is already a main group; only one is allowed')
      insert.run({
        folder: g.folder,
        name: g.name,
        isMain: g.isMain ? 1 : 0,
        triggerMode: g.triggerMode,
        triggerPattern: g.triggerPattern ?? null,
        settings: JSON.stringify(g.settings ?? {}),
        createdAt: now,
      })
      const created = repo.get(g.folder)
      if (!created) throw new NotFoundError(`group "${g.folder}" vanished after insert`)
      return created
    },
    update(folder, patch) {
      const current = repo.get(folder)
      if (!current) throw new NotFoundError(`group "${folder}" does not exist`)
      const next = { ...current, ...patch }
      db.run(
        'UPDATE groups SET name = ?, trigger_mode = ?, trigger_pattern = ?, settings = ? WHERE folder = ?',
        [next.name, next.triggerMode, next.triggerPattern ?? null, JSON.stringify(next.settings), folder],
      )
      return next
    },
    remove: (folder) => del.run(folder).changes > 0,
  }
  return repo
}
