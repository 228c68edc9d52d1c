import { fstatSync } from 'node:fs'
import { InvalidInputError } from '../core/errors.ts'
import { RESERVED_ENV, USER_ENV_NAME } from '../protocol/container.ts'

/**
 * `--env KEY=VALUE` (or `--env KEY`, taking the value from ngb's own environment, like `docker -e`,
 * so a secret need not be typed on a command line). Repeatable; validated; reserved names refused.
 */
export function parseEnvFlags(
  flags: string[],
  processEnv: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const flag of flags) {
    const eq = flag.indexOf('=')
    const name = eq === -1 ? flag : flag.slice(0, eq)
    if (!USER_ENV_NAME.test(name)) {
      throw new InvalidInputError(
        `--env "${flag}" is not KEY=VALUE with a name of letters, digits and _ (not starting with a digit)`,
        'env',
      )
    }
    if (RESERVED_ENV.test(name)) {
      throw new InvalidInputError(`--env ${name} is reserved by ngb and cannot be set for the agent`, 'env')
    }
    const value = eq === -1 ? processEnv[name] : flag.slice(eq + 1)
    if (value === undefined) {
      throw new InvalidInputError(
        `--env ${name} has no value and ${name} is not set in this environment`,
        'env',
      )
    }
    out[name] = value
  }
  return out
}

/** True when stdin is a pipe or a file (not a terminal, not /dev/null): then it carries input. */
export function stdinHasInput(fd = 0): boolean {
  try {
    const st = fstatSync(fd)
    return st.isFIFO() || st.isFile()
  } catch {
    return false
  }
}

/** `-p -` reads the prompt from stdin; `-p text` with piped stdin gives the text, then the input. */
export function combinePrompt(promptFlag: string, stdin: string | undefined): string {
  if (promptFlag === '-') return stdin ?? ''
  if (stdin === undefined || stdin.trim() === '') return promptFlag
  return `${promptFlag}\n\n${stdin}`
}
