import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { openDatabase } from '../../../src/db/open.ts'
import { createRepos } from '../../../src/db/repos/index.ts'
import { NGB_SOURCE, REPO_ROOT } from '../../helpers/cli.ts'

export interface ServeProcess {
  url: string
  setupUrl?: string
  dataDir: string
  proc: Subprocess<'ignore', 'pipe', 'pipe'>
  stderr: () => string
  stop(): Promise<void>
}

/** A real `ngb serve` on a free port with a temp data dir; resolves once it printed its URLs. */
export async function startServe(
  dataDir: string,
  env: Record<string, string> = {},
  opts: { binary?: string } = {},
): Promise<ServeProcess> {
  const childEnv: Record<string, string> = {}
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1' })) if (v !== undefined) childEnv[k] = v
  delete childEnv.NGB_ADMIN_PASSWORD
  Object.assign(childEnv, {
    NGB_DATA_DIR: dataDir,
    NGB_WEB_PORT: '0',
    NGB_AGENT_PROVIDER: 'mock',
    NGB_CONTAINER_IMAGE: 'ngb-agent:test',
    NGB_CONTAINER_NETWORK: 'none',
    NGB_LOG_LEVEL: 'warn',
    ...env,
  })
  const cmd = opts.binary ? [opts.binary, 'serve'] : [process.execPath, NGB_SOURCE, 'serve']
  const proc = Bun.spawn(cmd, {
    // The binary runs from / to prove it needs nothing from the source tree.
    cwd: opts.binary ? '/' : REPO_ROOT,
    env: childEnv,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  let err = ''
  void (async () => {
    for await (const chunk of proc.stderr) err += new TextDecoder().decode(chunk)
  })()
  let out = ''
  const reader = proc.stdout.getReader()
  const deadline = Date.now() + 20_000
  while (!/Dashboard: \S+/.test(out) || (!/\/setup\?token=\S+/.test(out) && !env.NGB_ADMIN_PASSWORD)) {
    if (Date.now() > deadline) throw new Error(`ngb serve did not start: ${out}\n${err}`)
    const { value, done } = await reader.read()
    if (done) throw new Error(`ngb serve exited: ${out}\n${err}`)
    out += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  const url = /Dashboard: (\S+)/.exec(out)?.[1] ?? ''
  return {
    url,
    setupUrl: /password at (\S+)/.exec(out)?.[1],
    dataDir,
    proc,
    stderr: () => err,
    async stop() {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 8000)
      await proc.exited
      clearTimeout(timer)
    },
  }
}

export const SCREENSHOTS = join(REPO_ROOT, 'test-results')

/** A home inside the data dir for serve's environment: what it writes there stays in the temp dir. */
export function sandboxHome(dataDir: string): { HOME: string; XDG_CONFIG_HOME: string } {
  const home = join(dataDir, 'home')
  mkdirSync(home, { recursive: true })
  return { HOME: home, XDG_CONFIG_HOME: join(home, '.config') }
}

/** A known install id labels every container serve starts, so a test can find and remove its own. */
export function setInstallId(dataDir: string, installId: string): void {
  const db = openDatabase(join(dataDir, 'ngb.db'))
  try {
    createRepos(db).meta.set('install_id', installId)
  } finally {
    db.close()
  }
}
