import type { ArgsDef, CommandDef } from 'citty'
import { renderUsage } from 'citty'

const EXAMPLES = new WeakMap<object, string[]>()

/** Attaches example lines that `--help` prints after the options. */
export function withExamples<T extends ArgsDef>(cmd: CommandDef<T>, examples: string[]): CommandDef<T> {
  EXAMPLES.set(cmd, examples)
  return cmd
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[[0-9;]*m/g

/** citty's usage plus our examples; colour only when the caller says so (citty ignores isTTY). */
export async function renderHelp<T extends ArgsDef>(
  cmd: CommandDef<T>,
  parent: CommandDef<T> | undefined,
  color: boolean,
): Promise<string> {
  let text = await renderUsage(cmd, parent)
  const examples = EXAMPLES.get(cmd)
  if (examples?.length) {
    const title = color ? '\x1b[4m\x1b[1mEXAMPLES\x1b[22m\x1b[24m' : 'EXAMPLES'
    text += `\n\n${title}\n\n${examples.map((e) => `  ${e}`).join('\n')}`
  }
  return color ? text : text.replace(ANSI, '')
}
