import * as v from 'valibot'
import type { LoadedConfig } from '../config/load.ts'
import { dataPaths } from '../config/paths.ts'
import { NgbError } from '../core/errors.ts'
import { openDatabase } from '../db/open.ts'
import { createRepos } from '../db/repos/index.ts'
import { BUILTIN_PLUGINS } from '../plugins/builtin/index.ts'
import { createPluginManager, type PluginView } from '../plugins/manager.ts'
import { createMemoryLogger } from '../util/log.ts'
import { ensureCliToken } from './admin/cli-token.ts'
import { liveServer } from './serve-file.ts'

/** What `ngb plugins` needs: through the running serve's API when there is one, else the database. */
export interface PluginsAdmin {
  readonly via: string
  list(): Promise<PluginView[]>
  setEnabled(name: string, enabled: boolean): Promise<PluginView>
  close(): void
}

const ViewSchema = v.looseObject({
  name: v.string(),
  source: v.picklist(['builtin', 'file', 'code']),
  file: v.optional(v.string()),
  version: v.optional(v.string()),
  description: v.string(),
  loaded: v.boolean(),
  enabled: v.boolean(),
  running: v.boolean(),
  config: v.record(v.string(), v.unknown()),
  errors: v.number(),
  timeouts: v.number(),
  lastError: v.optional(v.string()),
  lastErrorAt: v.optional(v.number()),
})
const ErrorSchema = v.object({ error: v.string(), message: v.string() })

function httpPluginsAdmin(url: string, dataDir: string): PluginsAdmin {
  async function call(method: string, path: string, body?: unknown, renewed = false): Promise<unknown> {
    const token = ensureCliToken(dataDir, { renew: renewed })
    let res: Response
    try {
      res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      })
    } catch (error) {
      throw new NgbError('plugin_failed', `cannot reach ngb serve at ${url}: ${(error as Error).message}`)
    }
    // The token was revoked in the dashboard: mint a new one once, as the other admin commands do.
    if (res.status === 401 && !renewed) return call(method, path, body, true)
    const json: unknown = await res.json().catch(() => undefined)
    if (res.ok) return json
    const err = v.safeParse(ErrorSchema, json)
    throw new NgbError(
      res.status === 404 ? 'not_found' : 'invalid_input',
      err.success ? err.output.message : `ngb serve answered ${res.status} to ${method} ${path}`,
    )
  }
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (_k, val) => (val === null ? undefined : val)))
  return {
    via: `api ${url}`,
    list: async () => v.parse(v.array(ViewSchema), strip(await call('GET', '/api/plugins'))) as PluginView[],
    setEnabled: async (name, enabled) =>
      v.parse(
        ViewSchema,
        strip(await call('PUT', `/api/plugins/${encodeURIComponent(name)}/enabled`, { enabled })),
      ) as PluginView,
    close: () => {},
  }
}

/** Without a server: the switches in the database, and the plugin files imported to learn their names. */
async function localPluginsAdmin(loaded: LoadedConfig): Promise<PluginsAdmin> {
  const paths = dataPaths(loaded.config.dataDir)
  const db = openDatabase(paths.db)
  const repos = createRepos(db)
  const manager = createPluginManager({
    log: createMemoryLogger(),
    base: { assistantName: loaded.config.assistantName, reply: async () => {} },
    store: repos.pluginState,
    builtins: BUILTIN_PLUGINS,
    dir: paths.plugins,
    toml: loaded.plugins,
    now: Date.now,
  })
  await manager.load()
  return {
    via: `database ${paths.db}`,
    list: async () => manager.list(),
    setEnabled: async (name, enabled) => manager.setEnabled(name, enabled),
    close: () => db.close(),
  }
}

export async function connectPluginsAdmin(loaded: LoadedConfig): Promise<PluginsAdmin> {
  const server = liveServer(loaded.config.dataDir)
  return server ? httpPluginsAdmin(server.url, loaded.config.dataDir) : localPluginsAdmin(loaded)
}
