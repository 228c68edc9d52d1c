import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import type { ConfigSource } from '../core/errors.ts'
import { ConfigError } from '../core/errors.ts'
import { parseDotenv } from './dotenv.ts'
import { dataPaths, defaultConfigDir, defaultDataDir } from './paths.ts'
import type { Config, ConfigKey } from './schema.ts'
import { ConfigSchema } from './schema.ts'
import { SECRET_KEYS, SETTINGS } from './sources.ts'

export interface LoadOptions {
  env: Record<string, string | undefined>
  /** ngb.toml path from `--config`; else `NGB_CONFIG`; else `~/.config/nanogridbot/ngb.toml` if it exists. */
  configFile?: string
  /** Values from command-line flags (highest priority). */
  overrides?: Partial<Record<ConfigKey, string | number | boolean>>
}

export interface LoadedConfig {
  config: Config
  sources: Record<ConfigKey, ConfigSource>
  files: { dotenv?: string; toml?: string }
  /** `[plugins.<name>]` tables of ngb.toml: `enabled` and the plugin's own options. */
  plugins?: Record<string, Record<string, unknown>>
}

type Raw = Partial<Record<ConfigKey, unknown>>

const KEYS = Object.keys(SETTINGS) as ConfigKey[]

function defaults(env: Record<string, string | undefined>): Raw {
  return {
    dataDir: defaultDataDir(env),
    logLevel: 'info',
    logMaxBytes: 10 * 1024 * 1024,
    logMaxFiles: 5,
    webHost: '127.0.0.1',
    webPort: 8080,
    assistantName: 'Andy',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    maxConcurrent: 5,
    retryBaseMs: 5000,
    maxRetries: 5,
    idleTimeoutMs: 30 * 60 * 1000,
    maxOutputBytes: 10 * 1024 * 1024,
    containerCli: 'docker',
    containerImage: 'ngb-agent:latest',
    containerNetwork: 'bridge',
    containerMemory: '2g',
    containerCpus: '2',
    containerPidsLimit: 512,
    agentMessagesPerMinute: 30,
    agentMaxTasks: 50,
    agentIpcMaxBytes: 1024 * 1024,
    agentProvider: 'claude',
    budgetPolicy: 'hold',
    attachmentMaxBytes: 20 * 1024 * 1024,
    attachmentQuotaBytes: 1024 * 1024 * 1024,
    debug: false,
  }
}

function fromEnvLike(vars: Record<string, string | undefined>): Raw {
  const out: Raw = {}
  for (const key of KEYS) {
    const value = vars[SETTINGS[key].env]
    if (value !== undefined && value !== '') out[key] = value
  }
  return out
}

const TOML_PATHS = new Map(KEYS.map((k) => [SETTINGS[k].toml, k]))

function flattenToml(node: Record<string, unknown>, prefix: string, file: string, out: Raw): void {
  for (const [name, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${name}` : name
    const key = TOML_PATHS.get(path)
    if (key) {
      out[key] = value
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      flattenToml(value as Record<string, unknown>, path, file, out)
    } else {
      throw new ConfigError(
        path,
        'toml',
        `${file}: unknown setting "${path}" (see \`ngb config show\` for the keys)`,
      )
    }
  }
}

/** `[plugins.<name>]`: each a table; `enabled`, when given, a boolean. The options are the plugin's to check. */
function pluginTables(node: unknown, file: string): Record<string, Record<string, unknown>> {
  if (node === undefined) return {}
  const isTable = (x: unknown): x is Record<string, unknown> =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
  if (!isTable(node))
    throw new ConfigError('plugins', 'toml', `${file}: "plugins" must be a table of [plugins.<name>]`)
  const out: Record<string, Record<string, unknown>> = {}
  for (const [name, table] of Object.entries(node)) {
    if (!isTable(table))
      throw new ConfigError('plugins', 'toml', `${file}: plugins.${name} must be a table ([plugins.${name}])`)
    if (table.enabled !== undefined && typeof table.enabled !== 'boolean')
      throw new ConfigError('plugins', 'toml', `${file}: plugins.${name}.enabled must be true or false`)
    out[name] = table
  }
  return out
}

function readToml(file: string): { raw: Raw; plugins: Record<string, Record<string, unknown>> } {
  if (!existsSync(file)) throw new ConfigError('config', 'file', `config file ${file} does not exist`)
  let parsed: unknown
  try {
    parsed = Bun.TOML.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ConfigError('config', 'toml', `${file} is not valid TOML: ${reason}`, { cause: error })
  }
  const { plugins, ...settings } = parsed as Record<string, unknown>
  const out: Raw = {}
  flattenToml(settings, '', file, out)
  return { raw: out, plugins: pluginTables(plugins, file) }
}

function sourceLabel(source: ConfigSource, files: LoadedConfig['files']): string {
  switch (source) {
    case 'env':
      return 'environment'
    case 'dotenv':
      return files.dotenv ?? '.env'
    case 'toml':
      return files.toml ?? 'ngb.toml'
    case 'flag':
      return 'command line'
    default:
      return 'default'
  }
}

function describeValue(key: ConfigKey, value: unknown): string {
  if (SETTINGS[key].secret) return '(secret)'
  const s = typeof value === 'string' ? `"${value}"` : String(value)
  return s.length > 60 ? `${s.slice(0, 57)}..."` : s
}

/**
 * Loads the effective config: defaults < `<data dir>/.env` < ngb.toml < environment < flags.
 * The first invalid value fails with a ConfigError naming the key, its source and the problem.
 */
export function loadConfig(opts: LoadOptions): LoadedConfig {
  const files: LoadedConfig['files'] = {}
  const layers: Array<[ConfigSource, Raw]> = [['default', defaults(opts.env)]]

  // `ngb init` writes the default file; an explicit --config / NGB_CONFIG always wins over it.
  const defaultToml = join(defaultConfigDir(opts.env), 'ngb.toml')
  const tomlFile =
    opts.configFile ?? opts.env.NGB_CONFIG ?? (existsSync(defaultToml) ? defaultToml : undefined)
  const tomlRead = tomlFile ? readToml(tomlFile) : { raw: {}, plugins: {} }
  const toml = tomlRead.raw
  if (tomlFile) files.toml = tomlFile
  const envRaw = fromEnvLike(opts.env)
  const flags: Raw = { ...opts.overrides }

  // The .env lives in the data dir, so the data dir itself cannot come from it.
  const dataDir = String(flags.dataDir ?? envRaw.dataDir ?? toml.dataDir ?? defaults(opts.env).dataDir)
  const dotenvFile = dataPaths(dataDir).dotenv
  if (existsSync(dotenvFile)) {
    files.dotenv = dotenvFile
    const dotenv = fromEnvLike(parseDotenv(readFileSync(dotenvFile, 'utf8'), dotenvFile))
    delete dotenv.dataDir
    layers.push(['dotenv', dotenv])
  }
  layers.push(['toml', toml], ['env', envRaw], ['flag', flags])

  const merged: Raw = {}
  const sources = {} as Record<ConfigKey, ConfigSource>
  for (const [source, layer] of layers) {
    for (const [key, value] of Object.entries(layer) as Array<[ConfigKey, unknown]>) {
      if (value === undefined) continue
      merged[key] = value
      sources[key] = source
    }
  }
  for (const key of KEYS) sources[key] ??= 'default'

  const result = v.safeParse(ConfigSchema, merged)
  if (!result.success) {
    const issue = result.issues[0]
    const key = (issue.path?.[0]?.key as ConfigKey | undefined) ?? 'dataDir'
    const setting = SETTINGS[key]
    const source = sources[key]
    throw new ConfigError(
      key,
      source,
      `invalid ${setting.env} = ${describeValue(key, merged[key])} from ${sourceLabel(source, files)}: ${issue.message}`,
    )
  }
  const config = result.output
  if (config.hardTimeoutMs !== undefined && config.hardTimeoutMs < config.idleTimeoutMs + 30_000) {
    throw new ConfigError(
      'hardTimeoutMs',
      sources.hardTimeoutMs,
      `invalid NGB_HARD_TIMEOUT_MS = ${config.hardTimeoutMs} from ${sourceLabel(sources.hardTimeoutMs, files)}: must be at least NGB_IDLE_TIMEOUT_MS + 30000 (${config.idleTimeoutMs + 30_000})`,
    )
  }
  return { config, sources, files, plugins: tomlRead.plugins }
}

export function secretValues(config: Config): string[] {
  return SECRET_KEYS.map((k) => config[k]).filter((x): x is string => typeof x === 'string')
}

/** The effective config with secrets masked, for `ngb config show` and the dashboard. */
export function describeConfig(loaded: LoadedConfig): Array<{
  key: ConfigKey
  env: string
  value: string
  source: string
}> {
  return KEYS.map((key) => {
    const value = loaded.config[key]
    const shown =
      value === undefined
        ? ''
        : SETTINGS[key].secret
          ? '********'
          : typeof value === 'string'
            ? value
            : String(value)
    return {
      key,
      env: SETTINGS[key].env,
      value: shown,
      source: sourceLabel(loaded.sources[key], loaded.files),
    }
  })
}
