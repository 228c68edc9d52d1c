import { ALNUM, junk } from './gen.ts'
import type { Rng } from './prng.ts'

/** Agent-like Markdown: prose, long unbroken lines, fences (some unclosed), tables, lists, emoji. */
export function randomMarkdown(rng: Rng, scale: number): string {
  const lines: string[] = []
  const target = rng.int(0, scale)
  let size = 0
  while (size < target) {
    const line = rng.pick<() => string>([
      () => junk(rng, 120),
      () => Array.from({ length: rng.int(1, 40) }, () => rng.string(rng.int(1, 12), ALNUM)).join(' '),
      () => rng.string(rng.int(scale / 4, scale), `${ALNUM}😀é`),
      () => `${rng.pick(['```', '~~~', '````'])}${rng.pick(['', 'ts', 'md x'])}`,
      () => `| ${junk(rng, 10)} | ${junk(rng, 10)} |\n|---|---|\n| 1 | 2 |`,
      () => `${rng.pick(['#', '##', '-', '*', '1.', '>'])} ${junk(rng, 60)}`,
      () => `**${rng.string(rng.int(1, 20), ALNUM)}** _${rng.string(4, ALNUM)}_ \`${junk(rng, 8)}\``,
      () => '',
    ])()
    lines.push(line)
    size += line.length + 1
  }
  return lines.join('\n')
}

/**
 * True when `text` ends outside any code fence, read the CommonMark way: a fence closes only on a
 * bare marker line of the same character, at least as long as the opener (so ```` can hold ```).
 */
export function fencesBalanced(text: string): boolean {
  let open: string | undefined
  for (const line of text.split('\n')) {
    const m = /^\s{0,3}(`{3,}|~{3,})(.*)$/.exec(line)
    if (!m?.[1]) continue
    const marker = m[1]
    if (!open) open = marker
    else if (marker[0] === open[0] && marker.length >= open.length && (m[2] ?? '').trim() === '')
      open = undefined
  }
  return open === undefined
}
