import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import * as v from 'valibot'
import type { Plugin } from './plugin.ts'

const hook = () => v.optional(v.function('expected a function'))

/** The shape of a plugin file's default export. Extra keys are allowed and ignored. */
const PluginExport = v.looseObject({
  name: v.pipe(
    v.string('name: expected text'),
    // The same names the API routes accept: lower-case letters, digits and "-".
    v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'name: lower-case letters, digits and "-", at most 64 characters'),
  ),
  version: v.optional(v.string('version: expected text')),
  description: v.optional(v.string('description: expected text')),
  defaults: v.optional(v.record(v.string(), v.unknown(), 'defaults: expected an object of settings')),
  onMessage: hook(),
  onBeforeSend: hook(),
  onBeforeRun: hook(),
  onAfterRun: hook(),
  onGroupRegistered: hook(),
  onGroupRemoved: hook(),
})

/** A plugin file that could not be used, and why (shown on the Plugins page and by `ngb plugins ls`). */
export interface PluginFileError {
  file: string
  error: string
}

export type LoadedFile = { ok: true; file: string; plugin: Plugin } | ({ ok: false } & PluginFileError)

/** `.ts`/`.js` files directly in the plugins folder; dot-files, `_`-prefixed and `.d.ts` are skipped. */
export function pluginFiles(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => /\.(ts|js)$/.test(n) && !n.endsWith('.d.ts') && !n.startsWith('.') && !n.startsWith('_'))
    .sort()
    .map((n) => join(dir, n))
}

let generation = 0

/**
 * Imports one plugin file. Each load uses a new `?v=` query, so an edited file is imported afresh
 * (the module cache is keyed by the full specifier); modules the plugin imports itself stay cached.
 */
export async function loadPluginFile(file: string): Promise<LoadedFile> {
  let mod: unknown
  try {
    mod = await import(`${file}?v=${Date.now()}-${++generation}`)
  } catch (error) {
    return {
      ok: false,
      file,
      error: `could not load: ${error instanceof Error ? error.message : String(error)}`,
    }
  }
  const exported =
    typeof mod === 'object' && mod !== null ? (mod as { default?: unknown }).default : undefined
  if (exported === undefined)
    return { ok: false, file, error: 'no default export; export default { name, onMessage, … }' }
  const parsed = v.safeParse(PluginExport, exported)
  if (!parsed.success) {
    const issue = parsed.issues[0]
    const path = issue.path?.map((p) => String(p.key)).join('.')
    return { ok: false, file, error: `bad default export: ${path ? `${path}: ` : ''}${issue.message}` }
  }
  // The schema checked each hook is a function; their argument types are the documented contract.
  return { ok: true, file, plugin: exported as Plugin }
}
