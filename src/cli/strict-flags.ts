import type { ArgsDef } from 'citty'

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/**
 * citty accepts any flag; a typo such as `--grup main` would then silently do the wrong thing.
 * Returns the first flag in `argv` that the command does not define (after `--` nothing is a flag).
 */
export function findUnknownFlag(argv: string[], args: ArgsDef): string | undefined {
  const known = new Set(['help', 'h'])
  const takesValue = new Set<string>()
  for (const [name, def] of Object.entries(args)) {
    if (def.type === 'positional') continue
    const aliases =
      def.type === 'boolean' || def.type === 'string' || def.type === 'enum' ? def.alias : undefined
    const names = [name, kebab(name), ...(typeof aliases === 'string' ? [aliases] : (aliases ?? []))]
    for (const n of names) {
      known.add(n)
      if (def.type === 'boolean') known.add(`no-${n}`)
      else takesValue.add(n)
    }
  }
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? ''
    if (word === '--') return undefined
    if (!word.startsWith('-') || word === '-' || /^-\d/.test(word)) continue
    const name = word.replace(/^--?/, '').split('=')[0] ?? ''
    if (!known.has(name)) return word.split('=')[0]
    if (takesValue.has(name) && !word.includes('=')) i++
  }
  return undefined
}
