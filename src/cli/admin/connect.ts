import type { Config } from '../../config/schema.ts'
import { liveServer } from '../serve-file.ts'
import type { Admin } from './admin.ts'
import { ensureCliToken } from './cli-token.ts'
import { ApiError, createHttpAdmin, MissingApiError } from './http.ts'
import { createLocalAdmin } from './local.ts'

export interface ConnectDeps {
  /** One-line notes for the user (stderr). */
  say(line: string): void
  fetch?: typeof fetch
}

/**
 * The admin for this data dir: through a running `ngb serve` (found by its serve.json and a live
 * pid), so its scheduler and dashboard see changes at once; else the database directly.
 */
export async function connectAdmin(
  config: Pick<Config, 'dataDir' | 'timezone'>,
  deps: ConnectDeps,
): Promise<Admin> {
  const server = liveServer(config.dataDir)
  if (!server) return createLocalAdmin(config)
  const open = async (renew: boolean): Promise<Admin> => {
    const token = ensureCliToken(config.dataDir, { renew })
    const admin = createHttpAdmin({ url: server.url, token, fetch: deps.fetch })
    await admin.listTasks({})
    return admin
  }
  try {
    return await open(false).catch((error) => {
      // The token was revoked in the dashboard, or the database was replaced: mint a new one once.
      if (error instanceof ApiError && error.status === 401) return open(true)
      throw error
    })
  } catch (error) {
    if (!(error instanceof MissingApiError)) throw error
    deps.say(`note: ngb serve (pid ${server.pid}) has no admin API; using the database directly`)
    return createLocalAdmin(config)
  }
}
