import * as v from 'valibot'
import { InvalidInputError, NotFoundError } from '../core/errors.ts'
import type { Logger } from '../util/log.ts'
import type { BuiltinPlugin } from './builtin/builtin.ts'
import { type BaseContext, createPluginHost, type PluginHost } from './host.ts'
import { type LoadedFile, loadPluginFile, pluginFiles } from './loader.ts'
import type { Plugin, PluginContext } from './plugin.ts'

/** Where the per-plugin switches and state live (the plugin_state table). */
export interface PluginStore {
  get(plugin: string, key: string): string | undefined
  set(plugin: string, key: string, value: string, now: number): void
  delete(plugin: string, key: string): void
  all(plugin: string): Record<string, string>
}

export type PluginSource = 'builtin' | 'file' | 'code'

/** One plugin as the host runs it: what the Plugins page, the API and `ngb plugins ls` show. */
export interface PluginView {
  name: string
  source: PluginSource
  file?: string
  version?: string
  description: string
  /** Its code is loaded (a file that fails to import is not). */
  loaded: boolean
  enabled: boolean
  /** Loaded and enabled: its hooks are in the chain now. */
  running: boolean
  config: Record<string, unknown>
  errors: number
  timeouts: number
  lastError?: string
  lastErrorAt?: number
}

export interface PluginManagerDeps {
  log: Logger
  base: BaseContext
  store: PluginStore
  builtins: readonly BuiltinPlugin[]
  /** `<data dir>/plugins`; none means no external plugins. */
  dir?: string
  /** `[plugins.<name>]` tables of ngb.toml: `enabled` and the plugin's options. */
  toml?: Record<string, Record<string, unknown>>
  /** Plugins given in code (tests, embedders): always loaded, enabled unless switched off. */
  extra?: Plugin[]
  hookTimeoutMs?: number
  now: () => number
  /** Told after any change the Plugins page shows (reload, switch, config, hook error). */
  onChange?: () => void
}

export interface PluginManager {
  host: PluginHost
  /** Loads the plugin files (built-ins and code plugins are there from the start). */
  load(): Promise<void>
  list(): PluginView[]
  get(name: string): PluginView
  setEnabled(name: string, enabled: boolean): PluginView
  setConfig(name: string, config: Record<string, unknown>): PluginView
}

interface Entry {
  name: string
  source: PluginSource
  file?: string
  plugin?: Plugin
  builtin?: BuiltinPlugin
  loadError?: string
}

/** Keys of plugin_state a plugin's own `ctx.state` cannot reach: they hold the switches. */
const ENABLED = 'enabled'
const CONFIG = 'config'
const KV = 'kv:'

export function createPluginManager(deps: PluginManagerDeps): PluginManager {
  const toml = deps.toml ?? {}
  const entries = new Map<string, Entry>()
  const configs = new Map<string, Record<string, unknown>>()
  for (const b of deps.builtins)
    entries.set(b.name, { name: b.name, source: 'builtin', builtin: b, plugin: b.create({ now: deps.now }) })
  for (const p of deps.extra ?? []) entries.set(p.name, { name: p.name, source: 'code', plugin: p })
  let fileErrors: Entry[] = []

  const storedConfig = (name: string): Record<string, unknown> | undefined => {
    const raw = deps.store.get(name, CONFIG)
    if (raw === undefined) return undefined
    try {
      const parsed: unknown = JSON.parse(raw)
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        return parsed as Record<string, unknown>
    } catch {
      // A broken stored value falls back to ngb.toml and the defaults; saving a new one replaces it.
    }
    return undefined
  }
  const optionsOf = (name: string): Record<string, unknown> => {
    const { enabled: _enabled, ...options } = toml[name] ?? {}
    return options
  }
  /** Defaults (a built-in's, or a file's `defaults`) < ngb.toml options < what the dashboard or CLI saved. */
  const computeConfig = (e: Entry): Record<string, unknown> => ({
    ...(e.builtin?.defaults ?? e.plugin?.defaults ?? {}),
    ...optionsOf(e.name),
    ...(storedConfig(e.name) ?? {}),
  })
  const configOf = (name: string): Record<string, unknown> => {
    let c = configs.get(name)
    if (!c) {
      const e = entries.get(name)
      c = e ? computeConfig(e) : {}
      configs.set(name, c)
    }
    return c
  }
  /** Dashboard/CLI switch < ngb.toml `enabled` < default (files on: adding one is the opt-in; built-ins off). */
  const enabledOf = (e: Entry): boolean => {
    const stored = deps.store.get(e.name, ENABLED)
    if (stored !== undefined) return stored === 'true'
    const fromToml = toml[e.name]?.enabled
    if (typeof fromToml === 'boolean') return fromToml
    return e.source !== 'builtin'
  }

  const contextFor = (name: string): PluginContext => ({
    name,
    assistantName: deps.base.assistantName,
    get config() {
      return configOf(name)
    },
    send: deps.base.reply,
    reply: deps.base.reply,
    state: {
      get: (k) => deps.store.get(name, KV + k),
      set: (k, value) => deps.store.set(name, KV + k, String(value), deps.now()),
      delete: (k) => deps.store.delete(name, KV + k),
      all: () => {
        const out: Record<string, string> = {}
        for (const [k, value] of Object.entries(deps.store.all(name)))
          if (k.startsWith(KV)) out[k.slice(KV.length)] = value
        return out
      },
    },
    log: deps.log.child({ plugin: name }),
  })

  const host = createPluginHost({
    log: deps.log,
    context: deps.base,
    contextFor,
    hookTimeoutMs: deps.hookTimeoutMs,
    now: deps.now,
    onError: () => deps.onChange?.(),
  })

  /** Built-ins first (their fixed order), then code plugins, then files by file name. */
  const apply = () => {
    const running: Plugin[] = []
    for (const e of entries.values()) if (e.plugin && enabledOf(e)) running.push(e.plugin)
    host.setPlugins(running)
    deps.onChange?.()
  }

  const view = (e: Entry): PluginView => {
    const s = host.statsOf(e.name)
    const enabled = enabledOf(e)
    return {
      name: e.name,
      source: e.source,
      file: e.file,
      version: e.plugin?.version,
      description: e.builtin?.description ?? e.plugin?.description ?? (e.file ? 'plugin file' : 'plugin'),
      loaded: e.plugin !== undefined,
      enabled,
      running: enabled && e.plugin !== undefined,
      config: configOf(e.name),
      errors: s?.errors ?? 0,
      timeouts: s?.timeouts ?? 0,
      lastError: e.loadError ?? s?.lastError,
      lastErrorAt: s?.lastErrorAt,
    }
  }
  const entryOf = (name: string): Entry => {
    const e = entries.get(name)
    if (!e) throw new NotFoundError(`plugin "${name}" does not exist; see \`ngb plugins ls\``)
    return e
  }

  apply()

  return {
    host,
    async load() {
      if (!deps.dir) return
      const loaded: LoadedFile[] = []
      // Imported before the swap: messages keep flowing through the old plugins meanwhile.
      for (const file of pluginFiles(deps.dir)) loaded.push(await loadPluginFile(file))
      const next = new Map<string, Entry>()
      const errors: Entry[] = []
      for (const [name, e] of entries) if (e.source !== 'file') next.set(name, e)
      for (const r of loaded) {
        if (!r.ok) {
          const name = r.file
            .replace(/^.*[\\/]/, '')
            .replace(/\.(ts|js)$/, '')
            .replace(/[^\w.()-]/g, '_')
          // A file that breaks keeps its last good version running, with the error shown beside it.
          const previous = entries.get(name)
          if (previous?.source === 'file' && previous.file === r.file)
            next.set(name, { ...previous, loadError: r.error })
          else errors.push({ name, source: 'file', file: r.file, loadError: r.error })
          deps.log.warn('plugin file not loaded', { file: r.file, error: r.error })
          continue
        }
        const taken = next.get(r.plugin.name)
        if (taken) {
          const error = `the name "${r.plugin.name}" is already used by ${taken.file ?? `the ${taken.source} plugin`}`
          errors.push({
            name: `${r.plugin.name} (${r.file.replace(/^.*[\\/]/, '')})`,
            source: 'file',
            file: r.file,
            loadError: error,
          })
          deps.log.warn('plugin file not loaded', { file: r.file, error })
          continue
        }
        next.set(r.plugin.name, { name: r.plugin.name, source: 'file', file: r.file, plugin: r.plugin })
      }
      entries.clear()
      for (const [name, e] of next) entries.set(name, e)
      fileErrors = errors
      configs.clear()
      apply()
    },
    list: () => [...entries.values(), ...fileErrors].map(view),
    get: (name) => view(entryOf(name)),
    setEnabled(name, enabled) {
      const e = entryOf(name)
      deps.store.set(name, ENABLED, String(enabled), deps.now())
      apply()
      return view(e)
    },
    setConfig(name, config) {
      const e = entryOf(name)
      if (e.builtin) {
        const r = v.safeParse(e.builtin.schema, { ...e.builtin.defaults, ...optionsOf(name), ...config })
        if (!r.success) throw new InvalidInputError(`${name}: ${r.issues[0].message}`, 'config')
      }
      deps.store.set(name, CONFIG, JSON.stringify(config), deps.now())
      configs.delete(name)
      deps.onChange?.()
      return view(e)
    },
  }
}
