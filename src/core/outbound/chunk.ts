const FENCE = /^\s*(`{3,}|~{3,})/

/** Cuts a line that alone exceeds the budget, preferring the last space before the limit. */
function splitLongLine(line: string, budget: number): string[] {
  const pieces: string[] = []
  let rest = line
  while (rest.length > budget) {
    const space = rest.lastIndexOf(' ', budget)
    const cut = space > budget / 2 ? space : budget
    pieces.push(rest.slice(0, cut))
    rest = rest.slice(cut).replace(/^ /, '')
  }
  pieces.push(rest)
  return pieces
}

/**
 * Splits text into chunks of at most `maxLength` characters, on line boundaries where possible.
 * A code fence is never left open across chunks: a chunk that ends inside one closes it, and the
 * next reopens it with the same info string, so every chunk renders on its own.
 */
export function chunkText(text: string, maxLength: number): string[] {
  const body = text.trim()
  if (body === '') return []
  if (body.length <= maxLength) return [body]
  const chunks: string[] = []
  let current = ''
  let fence: { opener: string; marker: string } | undefined

  const flush = () => {
    if (fence) {
      chunks.push(`${current}\n${fence.marker}`)
      current = fence.opener
    } else {
      if (current.trim() !== '') chunks.push(current.trimEnd())
      current = ''
    }
  }

  for (const line of body.split('\n')) {
    const m = FENCE.exec(line)
    let next = fence
    if (m?.[1]) {
      if (!fence) next = { opener: line, marker: m[1] }
      else if (m[1].startsWith(fence.marker[0] ?? '`') && m[1].length >= fence.marker.length) next = undefined
    }
    const fenceCost = (f: typeof fence) => (f ? f.marker.length + 1 : 0)
    const budget = Math.max(1, maxLength - fenceCost(fence) - (fence ? fence.opener.length + 1 : 0))
    for (const piece of splitLongLine(line, budget)) {
      const reserve = Math.max(fenceCost(fence), fenceCost(next))
      const sep = current === '' ? '' : '\n'
      const onlyOpener = fence !== undefined && current === fence.opener
      if (current !== '' && !onlyOpener && current.length + sep.length + piece.length + reserve > maxLength) {
        flush()
      }
      current += (current === '' ? '' : '\n') + piece
    }
    fence = next
  }
  if (current.trim() !== '' && current !== fence?.opener)
    chunks.push(fence ? `${current}\n${fence.marker}` : current.trimEnd())
  return chunks
}
