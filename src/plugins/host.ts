import type { Logger } from '../util/log.ts'
import type { ChainHook, NotifyHook, Plugin, PluginContext } from './plugin.ts'

type ChainValue<H extends ChainHook> = Parameters<NonNullable<Plugin[H]>>[0]
type NotifyValue<H extends NotifyHook> = Parameters<NonNullable<Plugin[H]>>[0]

export interface PluginStats {
  name: string
  calls: number
  /** Hooks that threw or timed out since start (a timeout is also counted in `timeouts`). */
  errors: number
  timeouts: number
  lastError?: string
  lastErrorAt?: number
}

export interface PluginHost {
  /** Runs the hook of every plugin in order; `null` from any of them stops the chain and is returned. */
  chain<H extends ChainHook>(hook: H, value: ChainValue<H>): Promise<ChainValue<H> | null>
  /** Calls a notification hook on every plugin; failures are counted, never thrown. */
  notify<H extends NotifyHook>(hook: H, value: NotifyValue<H>): Promise<void>
  /**
   * Replaces the running plugin list (hot reload, enable/disable). A chain already under way finishes
   * over the list it started with, so no message is lost in the swap. Stats are kept by name.
   */
  setPlugins(plugins: Plugin[]): void
  list(): Plugin[]
  /** Stats of the running plugins. */
  stats(): PluginStats[]
  /** Stats of any plugin that ran since start, running or not (the dashboard shows disabled ones too). */
  statsOf(name: string): PluginStats | undefined
  /** Whether any plugin has this hook; lets hot paths skip the async chain. */
  has(hook: ChainHook | NotifyHook): boolean
}

/** The basics every context shares; per-plugin parts come from `contextFor`. */
export interface BaseContext {
  assistantName: string
  reply(chatJid: string, text: string): Promise<void>
}

export interface PluginHostDeps {
  log: Logger
  context: BaseContext
  /** The full context of one plugin (config, state, log); without it, a memory-only one is made. */
  contextFor?: (name: string) => PluginContext
  /** Per-hook time limit: a slow plugin is skipped (value passes through), not awaited forever. */
  hookTimeoutMs?: number
  /** Told of each hook failure (after it is counted), e.g. to update the dashboard. */
  onError?: (stats: PluginStats, hook: string) => void
  now?: () => number
}

const SKIP = Symbol('skip')

/** The field a chain hook's result must carry as a string: a wrong shape is an error, not a crash downstream. */
const TEXT_FIELD: Record<ChainHook, string> = {
  onMessage: 'text',
  onBeforeSend: 'text',
  onBeforeRun: 'prompt',
}

function badResult(hook: ChainHook, out: unknown): string | undefined {
  const field = TEXT_FIELD[hook]
  if (typeof out === 'object' && out !== null && typeof (out as Record<string, unknown>)[field] === 'string')
    return undefined
  return `returned ${out === null ? 'null' : typeof out} without a string "${field}"; return the value, undefined or null`
}

function memoryContext(name: string, base: BaseContext, log: Logger): PluginContext {
  const kv = new Map<string, string>()
  return {
    name,
    assistantName: base.assistantName,
    config: {},
    send: base.reply,
    reply: base.reply,
    state: {
      get: (k) => kv.get(k),
      set: (k, v) => void kv.set(k, v),
      delete: (k) => void kv.delete(k),
      all: () => Object.fromEntries(kv),
    },
    log: log.child({ plugin: name }),
  }
}

export function createPluginHost(deps: PluginHostDeps, initial: Plugin[] = []): PluginHost {
  const limitMs = deps.hookTimeoutMs ?? 2000
  const now = deps.now ?? Date.now
  let plugins = [...initial]
  let hooks = new Set<string>()
  const index = () => {
    hooks = new Set(plugins.flatMap((p) => Object.keys(p).filter((k) => k.startsWith('on'))))
  }
  index()
  const stats = new Map<string, PluginStats>()
  const contexts = new Map<string, PluginContext>()
  const statOf = (name: string): PluginStats => {
    let s = stats.get(name)
    if (!s) {
      s = { name, calls: 0, errors: 0, timeouts: 0 }
      stats.set(name, s)
    }
    return s
  }
  const contextOf = (name: string): PluginContext => {
    let c = contexts.get(name)
    if (!c) {
      c = deps.contextFor?.(name) ?? memoryContext(name, deps.context, deps.log)
      contexts.set(name, c)
    }
    return c
  }

  function fail(s: PluginStats, hook: string, message: string): void {
    s.errors++
    s.lastError = `${hook}: ${message}`
    s.lastErrorAt = now()
    deps.log.warn('plugin hook failed; skipped', { plugin: s.name, hook, error: message })
    deps.onError?.({ ...s }, hook)
  }

  /** One hook call, raced against the time limit; a throw or a timeout yields SKIP. */
  async function call(plugin: Plugin, hook: string, fn: () => unknown): Promise<unknown> {
    const s = statOf(plugin.name)
    s.calls++
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const timeout = new Promise<typeof SKIP>((resolve) => {
        timer = setTimeout(() => resolve(SKIP), limitMs)
      })
      const result = await Promise.race([Promise.resolve().then(fn), timeout])
      if (result === SKIP) {
        s.timeouts++
        fail(s, hook, `timed out after ${limitMs} ms`)
      }
      return result
    } catch (error) {
      fail(s, hook, error instanceof Error ? error.message : String(error))
      return SKIP
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    async chain(hook, value) {
      let current = value
      // `plugins` may be replaced meanwhile (reload); this chain keeps the list it started with.
      for (const plugin of plugins) {
        const fn = plugin[hook] as ((v: typeof value, c: PluginContext) => unknown) | undefined
        if (!fn) continue
        const ctx = contextOf(plugin.name)
        const out = await call(plugin, hook, () => fn.call(plugin, current, ctx))
        if (out === SKIP || out === undefined) continue
        if (out === null) return null
        const bad = badResult(hook, out)
        if (bad) {
          fail(statOf(plugin.name), hook, bad)
          continue
        }
        current = out as typeof value
      }
      return current
    },
    async notify(hook, value) {
      for (const plugin of plugins) {
        const fn = plugin[hook] as ((v: typeof value, c: PluginContext) => unknown) | undefined
        if (!fn) continue
        const ctx = contextOf(plugin.name)
        await call(plugin, hook, () => fn.call(plugin, value, ctx))
      }
    },
    setPlugins(next) {
      plugins = [...next]
      index()
    },
    list: () => [...plugins],
    stats: () => plugins.map((p) => ({ ...statOf(p.name) })),
    statsOf: (name) => {
      const s = stats.get(name)
      return s ? { ...s } : undefined
    },
    has: (hook) => hooks.has(hook),
  }
}
