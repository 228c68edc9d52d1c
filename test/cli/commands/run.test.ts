import { describe, expect, test } from 'bun:test'
import { ensureGroup, parseDurationMs } from '../../../src/cli/commands/run.ts'
import { InvalidInputError } from '../../../src/core/errors.ts'
import { createEventBus } from '../../../src/core/events.ts'
import { createGroupsService } from '../../../src/core/groups.ts'
import { testDb } from '../../helpers/db.ts'
import { tempDir } from '../../helpers/temp.ts'

function service() {
  const { repos } = testDb()
  const groups = createGroupsService({
    repos,
    bus: createEventBus(),
    clock: { now: () => 1 },
    groupsDir: tempDir(),
  })
  return { repos, groups }
}

describe('ngb run helpers', () => {
  test.each([
    // A bare number is seconds, as for timeout(1) and docker.
    ['5', 5000],
    ['1.5', 1500],
    ['250ms', 250],
    ['3s', 3000],
    ['1.5s', 1500],
    ['5m', 300_000],
    ['1h', 3_600_000],
  ])('parses --timeout %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms)
  })

  test.each(['', 'soon', '-1s', '3d', '0'])('rejects --timeout %p', (text) => {
    expect(() => parseDurationMs(text)).toThrow(InvalidInputError)
  })

  test('the first group created is main; later ones are not; existing ones are reused', () => {
    const { repos, groups } = service()
    const first = ensureGroup(groups, 'alpha')
    expect(first.isMain).toBe(true)
    expect(first.triggerMode).toBe('always')
    expect(ensureGroup(groups, 'beta').isMain).toBe(false)
    expect(ensureGroup(groups, 'alpha')).toEqual(first)
    expect(repos.groups.list()).toHaveLength(2)
  })

  test.each(['../x', 'Main', 'global', '', 'a b'])('refuses the folder %p', (folder) => {
    const { repos, groups } = service()
    expect(() => ensureGroup(groups, folder)).toThrow(InvalidInputError)
    expect(repos.groups.list()).toEqual([])
  })
})
