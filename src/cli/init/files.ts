import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { ConfigKey } from '../../config/schema.ts'
import { SETTINGS } from '../../config/sources.ts'
import { ConflictError } from '../../core/errors.ts'

type Value = string | number | boolean

function tomlValue(value: Value): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}

/** ngb.toml for the given settings, grouped into sections by their TOML path (`web.port` → [web]). */
export function renderToml(settings: Partial<Record<ConfigKey, Value>>): string {
  const top: string[] = []
  const sections = new Map<string, string[]>()
  for (const [key, value] of Object.entries(settings) as Array<[ConfigKey, Value | undefined]>) {
    if (value === undefined) continue
    const path = SETTINGS[key].toml
    const dot = path.lastIndexOf('.')
    if (dot === -1) {
      top.push(`${path} = ${tomlValue(value)}`)
      continue
    }
    const section = path.slice(0, dot)
    const lines = sections.get(section) ?? []
    lines.push(`${path.slice(dot + 1)} = ${tomlValue(value)}`)
    sections.set(section, lines)
  }
  const blocks = [['# Written by `ngb init`; `ngb config show` lists every setting.', ...top].join('\n')]
  for (const [section, lines] of sections) blocks.push([`[${section}]`, ...lines].join('\n'))
  return `${blocks.join('\n\n')}\n`
}

/** A .env with the given variables, double-quoted so any character survives `parseDotenv`. */
export function renderDotenv(vars: Record<string, string>): string {
  const lines = Object.entries(vars).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  )
  return `# Secrets written by \`ngb init\` (mode 0600). Never commit this file.\n${lines.join('\n')}\n`
}

/**
 * Writes `text` to `path` with mode 0600 via a temp file and a rename, so a half-written config
 * never exists; an existing file is replaced only with `force`.
 */
export function writePrivateFile(path: string, text: string, force: boolean): void {
  if (existsSync(path) && !force)
    throw new ConflictError(`${path} already exists; pass --force to replace it`)
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.tmp-${process.pid}`
  writeFileSync(tmp, text, { mode: 0o600, flag: 'wx' })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}
