import { ConfigError } from '../core/errors.ts'

/** Parses KEY=VALUE lines; `#` comments, optional `export `, single/double quotes. */
export function parseDotenv(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!m?.[1]) {
      throw new ConfigError(
        '.env',
        'dotenv',
        `${file}:${i + 1}: expected KEY=VALUE, got "${line.slice(0, 40)}"`,
      )
    }
    let value = m[2] ?? ''
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    out[m[1]] = value
  }
  return out
}
