import { dataPaths } from '../../src/config/paths.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService, type GroupsService } from '../../src/core/groups.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { systemClock } from '../../src/util/clock.ts'

/**
 * Prepares groups and bindings in a data dir's database before `ngb serve` starts, as `ngb groups …`
 * would: opens the db, hands `seed` a groups service over it, closes the db whatever happens.
 */
export function seedGroups<T>(dataDir: string, seed: (groups: GroupsService) => T): T {
  const paths = dataPaths(dataDir)
  const db = openDatabase(paths.db)
  try {
    const groups = createGroupsService({
      repos: createRepos(db),
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    return seed(groups)
  } finally {
    db.close()
  }
}
