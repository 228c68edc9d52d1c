import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultDataDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_DATA_HOME
  return join(xdg && xdg.length > 0 ? xdg : join(env.HOME ?? homedir(), '.local', 'share'), 'nanogridbot')
}

export function defaultConfigDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_CONFIG_HOME
  return join(xdg && xdg.length > 0 ? xdg : join(env.HOME ?? homedir(), '.config'), 'nanogridbot')
}

/** Every path ngb derives from the data dir, in one place. */
export function dataPaths(dataDir: string) {
  return {
    dataDir,
    db: join(dataDir, 'ngb.db'),
    dotenv: join(dataDir, '.env'),
    groups: join(dataDir, 'groups'),
    global: join(dataDir, 'groups', 'global'),
    ipc: join(dataDir, 'ipc'),
    state: join(dataDir, 'state'),
    logs: join(dataDir, 'logs'),
    logFile: join(dataDir, 'logs', 'ngb.log'),
    plugins: join(dataDir, 'plugins'),
  }
}

export type DataPaths = ReturnType<typeof dataPaths>
