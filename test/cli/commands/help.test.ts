import { expect, test } from 'bun:test'
import type { CommandDef } from 'citty'
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

test('every command has --help with a description and examples, exit 0, no colour off a TTY', async () => {
  const paths = await commandPaths(rootCommand as unknown as Cmd)
  expect(paths.length).toBeGreaterThan(20)
  const missing: string[] = []
  // A few at a time: 30 parallel Bun processes on a 2-core CI box only measure the box.
  for (let i = 0; i < paths.length; i += 4) {
    await Promise.all(
      paths.slice(i, i + 4).map(async (path) => {
        const r = await runNgb([...path, '--help'])
        const name = ['ngb', ...path].join(' ')
        if (r.code !== 0 || !r.stdout.includes('USAGE') || !r.stdout.includes('EXAMPLES')) missing.push(name)
        if (r.stdout.includes('\x1b[')) missing.push(`${name} (colour)`)
      }),
    )
  }
  expect(missing).toEqual([])
})

test('--version prints version, commit and Bun version; no command prints help and exits 2', async () => {
  const v = await runNgb(['--version'])
  expect(v.stdout).toMatch(/^ngb \d+\.\d+\.\d+ \(\w+\) bun \d+\.\d+\.\d+\n$/)
  const none = await runNgb([])
  expect(none.code).toBe(2)
  expect(none.stdout).toContain('COMMANDS')
})
