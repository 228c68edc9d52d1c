import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { buildTestImage } from '../../src/image/test-image.ts'
import { docker, HAS_DOCKER } from './docker.ts'
import { tempDir } from './temp.ts'

/**
 * Builds ngb-agent:test once (content-hash cached across files and runs) and returns the tag pinned
 * to this checkout's content: other checkouts on the same engine may retag ngb-agent:test meanwhile.
 */
export async function ensureTestImage(): Promise<string> {
  if (!HAS_DOCKER) return 'ngb-agent:test'
  return (await buildTestImage({ cli: 'docker' })).pinnedTag
}

export interface AgentSandbox {
  dataDir: string
  installId: string
  /** Environment for `ngb` child processes: mock provider, test image, no network, isolated HOME. */
  env: Record<string, string | undefined>
  /** Containers of this sandbox's install that still exist. */
  leftovers(): string[]
  cleanup(): void
}

/** A data dir with a fixed install id, so every container the test starts can be found by label. */
export function agentSandbox(extraEnv: Record<string, string | undefined> = {}): AgentSandbox {
  const root = tempDir('ngb-agent-')
  const dataDir = join(root, 'data')
  const home = join(root, 'home')
  mkdirSync(home, { recursive: true })
  const installId = `t${crypto.randomUUID().slice(0, 7)}`
  const db = openDatabase(join(dataDir, 'ngb.db'))
  createRepos(db).meta.set('install_id', installId)
  db.close()
  const leftovers = () =>
    docker(['ps', '-a', '-q', '--filter', `label=ngb.install=${installId}`])
      .out.split('\n')
      .filter(Boolean)
  return {
    dataDir,
    installId,
    env: {
      NGB_DATA_DIR: dataDir,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      NGB_CONTAINER_IMAGE: 'ngb-agent:test',
      NGB_AGENT_PROVIDER: 'mock',
      NGB_CONTAINER_NETWORK: 'none',
      NGB_CONTAINER_MEMORY: '256m',
      NGB_CONTAINER_CPUS: '1',
      ANTHROPIC_API_KEY: undefined,
      CLAUDE_CODE_OAUTH_TOKEN: undefined,
      ...extraEnv,
    },
    leftovers,
    cleanup() {
      const ids = leftovers()
      if (ids.length) docker(['rm', '-f', ...ids])
    },
  }
}
