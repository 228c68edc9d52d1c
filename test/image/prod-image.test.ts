import { describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { BUNDLE_ENTRY } from '../../src/image/agent-bundle.ts'
import { DOCKERFILE_PATH, prepareBuildContext } from '../../src/image/prod-image.ts'
import { tempDir } from '../helpers/temp.ts'

// Docker 20.10 has no `build --check` and the base image cannot be pulled here, so the Dockerfile is
// checked by parsing: instruction set, structure, and that every COPY source exists in the context.

interface Instruction {
  op: string
  args: string
  line: number
}

const KNOWN = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
])

function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = []
  let pending = ''
  let start = 0
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd()
    if (pending === '' && (line.trim() === '' || line.trim().startsWith('#'))) return
    if (pending === '') start = i + 1
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `
      return
    }
    const full = (pending + line).trim()
    pending = ''
    const m = /^(\S+)\s+([\s\S]*)$/.exec(full)
    if (!m) throw new Error(`line ${start}: cannot parse "${full}"`)
    out.push({ op: (m[1] ?? '').toUpperCase(), args: m[2] ?? '', line: start })
  })
  if (pending !== '') throw new Error('the Dockerfile ends with a line continuation')
  return out
}

const text = readFileSync(DOCKERFILE_PATH, 'utf8')
const ins = parseDockerfile(text)
const ops = (op: string) => ins.filter((i) => i.op === op)

describe('container/Dockerfile', () => {
  test('uses only known instructions, with FROM first (after ARGs)', () => {
    for (const i of ins) expect(KNOWN.has(i.op)).toBe(true)
    const firstReal = ins.find((i) => i.op !== 'ARG')
    expect(firstReal?.op).toBe('FROM')
    expect(ops('FROM')).toHaveLength(1)
    expect(ops('FROM')[0]?.args).toMatch(/^oven\/bun:\d+\.\d+\.\d+/)
  })

  test('installs git, ripgrep and the Claude Agent SDK (pinned)', () => {
    const runs = ops('RUN')
      .map((i) => i.args)
      .join('\n')
    expect(runs).toMatch(/apt-get install[^\n]*\bgit\b/)
    expect(runs).toMatch(/apt-get install[^\n]*\bripgrep\b/)
    expect(runs).toMatch(/@anthropic-ai\/claude-agent-sdk@\$\{CLAUDE_AGENT_SDK_VERSION\}/)
    expect(ops('ARG').map((i) => i.args)).toContainEqual(
      expect.stringMatching(/^CLAUDE_AGENT_SDK_VERSION=\d+\.\d+\.\d+$/),
    )
  })

  test('runs as the non-root agent user (uid 1000)', () => {
    expect(ops('RUN').some((i) => /useradd\b.*--uid 1000\b.*\bagent$/.test(i.args))).toBe(true)
    const users = ops('USER')
    expect(users.at(-1)?.args).toBe('agent')
    const lastUser = users.at(-1)?.line ?? Infinity
    expect(ops('ENTRYPOINT').every((e) => e.line > lastUser)).toBe(true)
  })

  test('the entrypoint is exec form and runs the bundled agent-runner without auto-install', () => {
    const [entry] = ops('ENTRYPOINT')
    const argv = JSON.parse(entry?.args ?? '') as string[]
    expect(argv).toEqual(['bun', '--no-install', `/app/${BUNDLE_ENTRY}`])
    expect(ops('WORKDIR').at(-1)?.args).toBe('/workspace/group')
  })

  test('every COPY source exists in the build context ngb assembles', async () => {
    const ctx = await prepareBuildContext(tempDir('ngb-ctx-'))
    expect(readFileSync(join(ctx, 'Dockerfile'), 'utf8')).toBe(text)
    for (const c of ops('COPY')) {
      const [src] = c.args.split(/\s+/)
      expect(existsSync(join(ctx, src ?? ''))).toBe(true)
    }
    expect(existsSync(join(ctx, 'agent-runner', BUNDLE_ENTRY))).toBe(true)
  })

  test('the parser itself rejects a broken file', () => {
    expect(() => parseDockerfile('FROM x\nRUN a \\')).toThrow()
  })
})
