import { expect, test } from 'bun:test'
import type { CommandDef } from 'citty'
import { renderHelp } from '../../../src/cli/help.ts'
import { rootCommand } from '../../../src/cli/main.ts'
import { runNgb } from '../../helpers/cli.ts'

type Cmd = CommandDef<Record<string, never>>

async function resolve<T>(x: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof x === 'function' ? await (x as () => T | Promise<T>)() : await x
}

/** Every command path in the tree, found by walking citty's (lazy) subcommands. */
async function commandPaths(cmd: Cmd, prefix: string[] = []): Promise<string[][]> {
  const subs = cmd.subCommands ? await resolve(cmd.subCommands) : undefined
  const out: string[][] = [prefix]
  for (const [name, sub] of Object.entries(subs ?? {})) {
    out.push(...(await commandPaths((await resolve(sub)) as Cmd, [...prefix, name])))
  }
  return out
}

test('every command has help with a description and examples', async () => {
  const paths = await commandPaths(rootCommand as unknown as Cmd)
  expect(paths.length).toBeGreaterThan(20)
  const missing: string[] = []
  for (const path of paths) {
    let cmd = rootCommand as unknown as Cmd
    let parent: Cmd | undefined
    for (const word of path) {
      const subs = cmd.subCommands ? await resolve(cmd.subCommands) : {}
      parent = cmd
      cmd = (await resolve(subs[word] as Cmd)) as Cmd
    }
    const text = await renderHelp(cmd, parent, false)
    if (!text.includes('USAGE') || !/EXAMPLES\n\n {2}ngb /.test(text))
      missing.push(['ngb', ...path].join(' '))
  }
  expect(missing).toEqual([])
})

test('--help through the real CLI: exit 0, examples, no colour off a TTY', async () => {
  for (const path of [[], ['groups', 'add'], ['session'], ['service', 'install']]) {
    const r = await runNgb([...path, '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('EXAMPLES')
    expect(r.stdout).not.toContain('\x1b[')
  }
})

test('--version prints version, commit and Bun version; no command prints help and exits 2', async () => {
  const v = await runNgb(['--version'])
  expect(v.stdout).toMatch(/^ngb \d+\.\d+\.\d+ \(\w+\) bun \d+\.\d+\.\d+\n$/)
  const none = await runNgb([])
  expect(none.code).toBe(2)
  expect(none.stdout).toContain('COMMANDS')
})
