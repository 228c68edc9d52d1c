import { describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { compiledBinary } from '../../helpers/binary.ts'
import { runNgb } from '../../helpers/cli.ts'
import { tempDir } from '../../helpers/temp.ts'

const dataDir = tempDir('ngb-groups-cli-')
const ngb = (args: string[], binary?: string) => runNgb([...args, '--data-dir', dataDir], { binary })

function repos() {
  const db = openDatabase(join(dataDir, 'ngb.db'))
  return { repos: createRepos(db), close: () => db.close() }
}

describe('ngb groups (no server running: the database directly)', () => {
  test('add makes the first group main, creates its folder and memory; ls shows both, --json too', async () => {
    expect((await ngb(['groups', 'ls'])).stdout).toBe('')
    const main = await ngb(['groups', 'add', 'main'])
    expect(main).toMatchObject({ code: 0, stdout: 'created group main (main), trigger always\n' })
    const fam = await ngb(['groups', 'add', 'fam', '--name', 'Family chat', '--provider', 'mock'])
    expect(fam.stdout).toBe('created group fam, trigger mention\n')
    expect(existsSync(join(dataDir, 'groups', 'fam', 'CLAUDE.md'))).toBe(true)

    const ls = await ngb(['groups', 'ls'])
    const lines = ls.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^FOLDER\s+NAME\s+MAIN\s+TRIGGER\s+CHATS\s+CREATED$/)
    expect(lines[1]).toMatch(/^main\s+main\s+yes\s+always\s+-\s+\d{4}-/)
    expect(lines[2]).toMatch(/^fam\s+Family chat\s+mention\s+-/)
    const json = JSON.parse((await ngb(['groups', 'ls', '--json'])).stdout) as Array<Record<string, unknown>>
    expect(json.map((g) => [g.folder, g.isMain, g.settings])).toEqual([
      ['main', true, {}],
      ['fam', false, { provider: 'mock' }],
    ])
  })

  test('bind, unbind and one-time tokens', async () => {
    expect((await ngb(['groups', 'bind', 'fam', 'telegram:group:-100200'])).stdout).toBe(
      'bound telegram:group:-100200 to fam\n',
    )
    const taken = await ngb(['groups', 'bind', 'main', 'telegram:group:-100200'])
    expect(taken.code).toBe(1)
    expect(taken.stderr).toContain('is bound to group "fam"; unbind it first')
    expect((await ngb(['groups', 'bind', 'main', 'telegram:group:-100200', '--move'])).code).toBe(0)
    const { repos: r, close } = repos()
    expect(r.chats.bindingOf('telegram:group:-100200')?.groupFolder).toBe('main')
    close()

    expect((await ngb(['groups', 'unbind', 'telegram:group:-100200'])).code).toBe(0)
    const again = await ngb(['groups', 'unbind', 'telegram:group:-100200'])
    expect(again).toMatchObject({ code: 1, stderr: 'telegram:group:-100200 was not bound to any group\n' })

    const token = await ngb(['groups', 'token', 'fam', '--ttl', '2h', '--json'])
    const t = JSON.parse(token.stdout) as { token: string; expiresAt: number; createdAt: number }
    expect(t.token).toMatch(/^ngb-[0-9a-f]{12}$/)
    expect(t.expiresAt - t.createdAt).toBe(7_200_000)
    const plain = await ngb(['groups', 'token', 'fam'])
    expect(plain.stdout).toMatch(/^ngb-[0-9a-f]{12}\n$/)
    expect(plain.stderr).toContain('send it in the chat to bind')
  })

  test('bad input: unknown group (1), bad JID, reserved or invalid folder, missing argument (2)', async () => {
    const unknown = await ngb(['groups', 'bind', 'ghost', 'telegram:1'])
    expect(unknown).toMatchObject({
      code: 1,
      stderr: 'ngb: group "ghost" does not exist (see `ngb groups ls`)\n',
    })
    const badJid = await ngb(['groups', 'bind', 'fam', 'not-a-jid'])
    expect(badJid.code).toBe(2)
    expect(badJid.stderr).toBe(
      'ngb: invalid chat id "not-a-jid": expected <platform>:<id>, e.g. telegram:12345\nhint: run `ngb groups bind --help`\n',
    )
    for (const reserved of ['ls', 'kill', 'resume', 'global']) {
      const r = await ngb(['groups', 'add', reserved])
      expect(r.code).toBe(2)
      expect(r.stderr).toStartWith(`ngb: the folder name "${reserved}" is reserved`)
    }
    expect((await ngb(['groups', 'add', 'Not_Valid'])).code).toBe(2)
    expect((await ngb(['groups', 'add', 'x', '--trigger', 'sometimes'])).code).toBe(2)
    const pattern = await ngb(['groups', 'add', 'x', '--trigger', 'pattern', '--pattern', '(unclosed'])
    expect(pattern.code).toBe(2)
    const missing = await ngb(['groups', 'add'])
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'ngb: Missing required positional argument: FOLDER\nhint: run `ngb groups add --help`\n',
    })
    expect((await ngb(['groups', 'rm', 'ghost'])).code).toBe(1)
  })

  test('rm refuses the main group without --force; the compiled binary does the same', async () => {
    const binary = compiledBinary()
    const refused = await ngb(['groups', 'rm', 'main'], binary)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('is the main group')
    expect(await ngb(['groups', 'rm', 'fam'], binary)).toMatchObject({
      code: 0,
      stdout: 'removed group fam\n',
    })
    expect((await ngb(['groups', 'rm', 'main', '--force'], binary)).code).toBe(0)
    expect(JSON.parse((await ngb(['groups', 'ls', '--json'], binary)).stdout)).toEqual([])
  })
})
