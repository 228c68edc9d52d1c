import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createProviderContext, drainPending, followUps } from '../../../container/agent-runner/context.ts'
import { atomicWriteJson, ipcFileName } from '../../../src/protocol/ipc-files.ts'
import { tempDir } from '../../helpers/temp.ts'

function agentRoot() {
  const root = tempDir('ngb-agent-ctx-')
  const paths = {
    group: join(root, 'group'),
    global: join(root, 'global'),
    ipc: join(root, 'ipc'),
    home: join(root, 'home'),
  }
  const inputDir = join(paths.ipc, 'input')
  mkdirSync(inputDir, { recursive: true })
  return { paths, inputDir }
}

const input = {
  prompt: '<messages>\n<message sender="a" time="t">one</message>\n</messages>',
  group: 'main',
  chatJid: 'web:main',
  isMain: true,
  assistantName: 'Andy',
  provider: 'mock' as const,
  secrets: {},
}

describe('agent-runner input', () => {
  test('follow-ups already waiting at start join the first prompt, in order, and are consumed', () => {
    const { paths, inputDir } = agentRoot()
    atomicWriteJson(inputDir, { type: 'message', text: 'two' }, ipcFileName(1000))
    atomicWriteJson(inputDir, { type: 'message', text: 'three' }, ipcFileName(2000))
    writeFileSync(join(inputDir, 'junk.json'), '{')
    const logs: string[] = []
    const ctx = createProviderContext(
      input,
      paths,
      () => {},
      (l) => logs.push(l),
    )
    expect(ctx.input.prompt).toBe(`${input.prompt}\ntwo\nthree`)
    expect(readdirSync(inputDir)).toEqual([])
    expect(logs.join('\n')).toContain('junk.json')
  })

  test('with nothing waiting the prompt is untouched; later files still arrive as follow-ups until _close', async () => {
    const { paths, inputDir } = agentRoot()
    const ctx = createProviderContext(
      input,
      paths,
      () => {},
      () => {},
    )
    expect(ctx.input).toBe(input)
    atomicWriteJson(inputDir, { type: 'message', text: 'later' })
    writeFileSync(join(inputDir, '_close'), '')
    const got: string[] = []
    for await (const t of ctx.followUps) got.push(t)
    expect(got).toEqual(['later'])
    expect(existsSync(join(inputDir, '_close'))).toBe(false)
  })

  test('drainPending leaves the _close sentinel for the follow-up loop', async () => {
    const { inputDir } = agentRoot()
    atomicWriteJson(inputDir, { type: 'message', text: 'x' })
    writeFileSync(join(inputDir, '_close'), '')
    expect(drainPending({ inputDir })).toEqual(['x'])
    const rest: string[] = []
    for await (const t of followUps({ inputDir, pollMs: 5 })) rest.push(t)
    expect(rest).toEqual([])
  })
})
