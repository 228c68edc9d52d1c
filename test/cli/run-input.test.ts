import { describe, expect, test } from 'bun:test'
import { openSync } from 'node:fs'
import { join } from 'node:path'
import { envFlags } from '../../src/cli/commands/run.ts'
import { combinePrompt, parseEnvFlags, stdinHasInput } from '../../src/cli/run-input.ts'
import { tempDir } from '../helpers/temp.ts'

describe('ngb run --env', () => {
  test('collects every --env in order, in both spellings', () => {
    expect(envFlags(['-g', 'main', '--env', 'A=1', '-p', 'x', '--env=B=2', '--', '--env', 'C=3'])).toEqual([
      'A=1',
      'B=2',
    ])
    expect(() => envFlags(['--env'])).toThrow(/--env needs KEY=VALUE/)
  })

  test('KEY=VALUE, KEY from this environment, values with = and empty values', () => {
    expect(parseEnvFlags(['A=1', 'TOKEN', 'URL=a=b', 'EMPTY='], { TOKEN: 'from-env' })).toEqual({
      A: '1',
      TOKEN: 'from-env',
      URL: 'a=b',
      EMPTY: '',
    })
  })

  test.each([
    ['1BAD=x', /not KEY=VALUE/],
    ['BAD-NAME=x', /not KEY=VALUE/],
    ['=x', /not KEY=VALUE/],
    ['ANTHROPIC_API_KEY=x', /reserved/],
    ['CLAUDE_CODE_OAUTH_TOKEN=x', /reserved/],
    ['PATH=/tmp', /reserved/],
    ['NGB_DATA_DIR=/x', /reserved/],
    ['UNSET_HERE', /not set in this environment/],
  ])('refuses %p', (flag, message) => {
    expect(() => parseEnvFlags([flag], {})).toThrow(message)
  })
})

describe('ngb run prompt and stdin', () => {
  test('-p - is stdin; -p text with piped input is the text then the input', () => {
    expect(combinePrompt('-', 'from stdin')).toBe('from stdin')
    expect(combinePrompt('Review this', 'diff --git a b')).toBe('Review this\n\ndiff --git a b')
    expect(combinePrompt('just this', undefined)).toBe('just this')
    expect(combinePrompt('just this', '  \n')).toBe('just this')
  })

  test('stdin counts as input for a pipe or a file, not for /dev/null', async () => {
    const file = join(tempDir(), 'input.txt')
    await Bun.write(file, 'x')
    expect(stdinHasInput(openSync(file, 'r'))).toBe(true)
    expect(stdinHasInput(openSync('/dev/null', 'r'))).toBe(false)
    expect(stdinHasInput(987654)).toBe(false)
  })
})
