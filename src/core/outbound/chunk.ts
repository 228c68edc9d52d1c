/** The same fence rules as the dialects' splitFences: open with up to 3 spaces, close on a bare marker. */
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})([^`]*)$|^ {0,3}(~{3,})(.*)$/
const FENCE_CLOSE = /^(`{3,}|~{3,})$/

function fenceOpener(line: string): string | undefined {
  const m = FENCE_OPEN.exec(line)
  return m ? (m[1] ?? m[3]) : undefined
}

function closesFence(line: string, marker: string): boolean {
  const trimmed = line.trim()
  return FENCE_CLOSE.test(trimmed) && trimmed[0] === marker[0] && trimmed.length >= marker.length
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff

/** Cuts a line that alone exceeds the budget, preferring the last space before the limit. */
function splitLongLine(line: string, budget: number): string[] {
  const pieces: string[] = []
  let rest = line
  while (rest.length > budget) {
    const space = rest.lastIndexOf(' ', budget)
    let cut = space > budget / 2 ? space : budget
    // Never between the two halves of an emoji or other astral character: both would turn into '�'.
    if (cut > 1 && isHighSurrogate(rest.charCodeAt(cut - 1))) cut--
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

  /** Nothing but the (re)opened fence and blank lines: flushing it would send an empty code block. */
  const onlyOpener = () =>
    fence !== undefined &&
    current.startsWith(fence.opener) &&
    current.slice(fence.opener.length).trim() === ''

  for (const line of body.split('\n')) {
    if (fence && closesFence(line, fence.marker)) {
      const sep = current === '' ? '' : '\n'
      if (onlyOpener())
        current = '' // the block's rest was already sent: no empty block
      else if (current.length + sep.length + line.length > maxLength) {
        // The closer stands where a flush puts its marker, so the flush closes the block instead.
        chunks.push(`${current}\n${fence.marker}`)
        current = ''
      } else current += sep + line
      fence = undefined
      continue
    }
    const opener = fence ? undefined : fenceOpener(line)
    const next = opener ? { opener: line, marker: opener } : fence
    const fenceCost = (f: typeof fence) => (f ? f.marker.length + 1 : 0)
    const budget = Math.max(1, maxLength - fenceCost(fence) - (fence ? fence.opener.length + 1 : 0))
    for (const piece of splitLongLine(line, budget)) {
      const reserve = Math.max(fenceCost(fence), fenceCost(next))
      const sep = current === '' ? '' : '\n'
      if (current !== '' && current.length + sep.length + piece.length + reserve > maxLength) {
        // Blank lines right after a reopened fence are dropped rather than sent as an empty block.
        if (fence && onlyOpener()) current = fence.opener
        else flush()
      }
      current += (current === '' ? '' : '\n') + piece
    }
    fence = next
  }
  if (current.trim() !== '' && !onlyOpener())
    chunks.push(fence ? `${current}\n${fence.marker}` : current.trimEnd())
  return chunks
}

/**
 * chunkText for platforms that count in another unit than UTF-16 code units (UTF-8 bytes): a chunk
 * that measures over the limit is split again with a proportionally smaller character budget, so
 * fences stay balanced and order is kept.
 */
export function chunkToFit(text: string, maxLength: number, measure: (s: string) => number): string[] {
  const out: string[] = []
  for (const chunk of chunkText(text, maxLength)) {
    let size = measure(chunk)
    if (size <= maxLength) {
      out.push(chunk)
      continue
    }
    let budget = chunk.length
    let pieces = [chunk]
    while (size > maxLength && budget > 1) {
      budget = Math.max(1, Math.floor((budget * maxLength) / size) - 1)
      pieces = chunkText(chunk, budget)
      size = Math.max(...pieces.map(measure))
    }
    out.push(...pieces)
  }
  return out
}
