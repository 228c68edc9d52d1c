import type { LoadedConfig } from '../config/load.ts'
import { loadConfig } from '../config/load.ts'
import type { ConfigKey } from '../config/schema.ts'

/** Flags every command accepts; they override the environment. */
export const globalArgs = {
  config: { type: 'string', description: 'Path to ngb.toml (default: $NGB_CONFIG)' },
  'data-dir': {
    type: 'string',
    description: 'Data directory (default: $NGB_DATA_DIR or ~/.local/share/nanogridbot)',
  },
  debug: { type: 'boolean', description: 'Verbose logs and stack traces' },
} as const

export interface GlobalFlags {
  config?: string
  'data-dir'?: string
  debug?: boolean
}

export function loadFromFlags(
  flags: GlobalFlags,
  extra: Partial<Record<ConfigKey, string | number | boolean>> = {},
): LoadedConfig {
  const overrides: Partial<Record<ConfigKey, string | number | boolean>> = { ...extra }
  if (flags['data-dir']) overrides.dataDir = flags['data-dir']
  if (flags.debug) overrides.debug = true
  return loadConfig({ env: process.env, configFile: flags.config, overrides })
}
