import { afterAll, beforeAll, describe, expect, setDefaultTimeout } from 'bun:test'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { agentSandbox, ensureTestImage } from '../helpers/agent-image.ts'
import { runNgb } from '../helpers/cli.ts'
import { dockerTest } from '../helpers/docker.ts'

setDefaultTimeout(30_000)
const box = agentSandbox()
beforeAll(async () => {
  box.env.NGB_CONTAINER_IMAGE = await ensureTestImage()
})
afterAll(() => box.cleanup())

const MOCK = {
  inputTokens: 100,
  outputTokens: 20,
  cacheWriteTokens: 10,
  cacheReadTokens: 50,
  costUsd: 0.01,
  model: 'mock',
  apiCalls: 1,
  apiMs: 5,
}

describe('ngb run prints what a turn cost', () => {
  dockerTest(
    '--json result frames carry usage; --usage prints it on stderr; the run row has it',
    async () => {
      const json = await runNgb(['run', '-g', 'main', '-p', '/cost 0.25 priced', '--json'], { env: box.env })
      expect(json.code).toBe(0)
      const frames = json.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; text?: string; usage?: unknown })
      expect(frames.filter((f) => f.type === 'result')).toEqual([
        { type: 'result', text: 'mock: priced', usage: { ...MOCK, costUsd: 0.25 } },
      ])
      const text = await runNgb(['run', '-g', 'main', '-p', 'hello', '--usage'], { env: box.env })
      expect(text).toMatchObject({
        code: 0,
        stdout: 'mock: hello\n',
        stderr: 'usage: 100 in / 20 out / 10 cache write / 50 cache read tokens, $0.01 (mock)\n',
      })
      const db = openDatabase(join(box.dataDir, 'ngb.db'))
      try {
        const runs = createRepos(db).runs.list({ groupFolder: 'main' })
        expect(runs.map((r) => r.usage?.costUsd)).toEqual([0.01, 0.25])
        expect(runs[0]?.usage).toEqual(MOCK)
        expect(runs[0]?.chatJid).toBe('cli:main')
      } finally {
        db.close()
      }
    },
  )
})
