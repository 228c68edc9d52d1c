import { describe, expect, test } from 'bun:test'
import { createProgress, parseBuildStep } from '../../../src/cli/init/progress.ts'

describe('build progress', () => {
  test('reads steps from the classic builder and from BuildKit, and nothing else', () => {
    expect(parseBuildStep('Step 3/9 : RUN bun install --production')).toEqual({
      index: 3,
      total: 9,
      title: 'RUN bun install --production',
    })
    expect(parseBuildStep('#7 [4/6] COPY agent-runner/ /app/')).toEqual({
      index: 4,
      total: 6,
      title: 'COPY agent-runner/ /app/',
    })
    expect(parseBuildStep('#5 [base 2/5] RUN apt-get update')).toEqual({
      index: 2,
      total: 5,
      title: 'RUN apt-get update',
    })
    expect(parseBuildStep('#1 [internal] load build definition from Dockerfile')).toBeUndefined()
    expect(parseBuildStep(' ---> Running in 0a1b2c')).toBeUndefined()
    expect(parseBuildStep(`Step 1/2 : RUN ${'x'.repeat(100)}`)?.title).toHaveLength(60)
  })

  test('off a terminal: one plain line per step, repeated lines folded, then the summary', () => {
    const out: string[] = []
    const p = createProgress({ write: (s: string) => out.push(s), isTTY: false })
    p.phase('building the agent image')
    for (const line of [
      'Step 1/2 : FROM oven/bun',
      ' ---> abc',
      'Step 1/2 : FROM oven/bun',
      'Step 2/2 : RUN true',
    ])
      p.line(line)
    p.done('ngb-agent:latest built (3 s)')
    expect(out.join('')).toBe(
      'building the agent image\nstep 1/2: FROM oven/bun\nstep 2/2: RUN true\nngb-agent:latest built (3 s)\n',
    )
  })

  test('on a terminal: one redrawn line with a spinner, cleared at the end', () => {
    const out: string[] = []
    const p = createProgress({ write: (s: string) => out.push(s), isTTY: true }, 1_000_000)
    p.line('Step 1/1 : RUN true')
    p.fail('not built')
    const text = out.join('')
    expect(text).toContain('\r\x1b[2K⠋ step 1/1: RUN true')
    expect(text.endsWith('\r\x1b[2K✗ not built\n')).toBe(true)
    expect(text).not.toContain('\nstep')
  })
})
