import type { Logger } from '../util/log.ts'
import type { ChainHook, NotifyHook, Plugin, PluginContext } from './plugin.ts'

type ChainValue<H extends ChainHook> = Parameters<NonNullable<Plugin[H]>>[0]
type NotifyValue<H extends NotifyHook> = Parameters<NonNullable<Plugin[H]>>[0]

export interface PluginStats {
  name: string
  calls: number
  errors: number
  timeouts: number
  lastError?: string
}

export interface PluginHost {
  /**
   * Runs the hook of every plugin in order; `null` from any of them stops the chain and is returned.
   * `context` comes from the caller (the outbound path owns `reply`), so the host depends on nothing.
   */
  chain<H extends ChainHook>(
    hook: H,
    value: ChainValue<H>,
    context: PluginContext,
  ): Promise<ChainValue<H> | null>
  /** Calls a notification hook on every plugin; failures are counted, never thrown. */
  notify<H extends NotifyHook>(hook: H, value: NotifyValue<H>, context: PluginContext): Promise<void>
  list(): Plugin[]
  stats(): PluginStats[]
  /** Whether any plugin has this hook; lets hot paths skip the async chain. */
  has(hook: ChainHook | NotifyHook): boolean
}

export interface PluginHostDeps {
  log: Logger
  /** Per-hook time limit: a slow plugin is skipped (value passes through), not awaited forever. */
  hookTimeoutMs?: number
}

const TIMEOUT = Symbol('timeout')

export function createPluginHost(deps: PluginHostDeps, initial: Plugin[] = []): PluginHost {
  const limitMs = deps.hookTimeoutMs ?? 2000
  const plugins = [...initial]
  const stats = new Map<string, PluginStats>()
  const statOf = (name: string): PluginStats => {
    let s = stats.get(name)
    if (!s) {
      s = { name, calls: 0, errors: 0, timeouts: 0 }
      stats.set(name, s)
    }
    return s
  }

  async function call<T>(
    plugin: Plugin,
    hook: string,
    fn: () => T | Promise<T>,
  ): Promise<T | typeof TIMEOUT> {
    const s = statOf(plugin.name)
    s.calls++
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const timeout = new Promise<typeof TIMEOUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMEOUT), limitMs)
      })
      const result = await Promise.race([Promise.resolve().then(fn), timeout])
      if (result === TIMEOUT) {
        s.timeouts++
        deps.log.warn('plugin hook timed out; skipped', { plugin: plugin.name, hook, limitMs })
      }
      return result
    } catch (error) {
      s.errors++
      s.lastError = error instanceof Error ? error.message : String(error)
      deps.log.warn('plugin hook failed; skipped', { plugin: plugin.name, hook, error: s.lastError })
      return TIMEOUT
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    async chain(hook, value, context) {
      let current = value
      for (const plugin of plugins) {
        const fn = plugin[hook] as ((v: typeof value, c: PluginContext) => unknown) | undefined
        if (!fn) continue
        const out = await call(plugin, hook, () => fn(current, context))
        if (out === TIMEOUT || out === undefined) continue
        if (out === null) return null
        current = out as typeof value
      }
      return current
    },
    async notify(hook, value, context) {
      for (const plugin of plugins) {
        const fn = plugin[hook] as ((v: typeof value, c: PluginContext) => unknown) | undefined
        if (fn) await call(plugin, hook, () => fn(value, context))
      }
    },
    list: () => [...plugins],
    stats: () => plugins.map((p) => ({ ...statOf(p.name) })),
    has: (hook) => plugins.some((p) => p[hook] !== undefined),
  }
}
