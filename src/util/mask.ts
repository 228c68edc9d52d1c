/**
 * Replaces every known secret value in a string. Secrets shorter than 4 characters are ignored:
 * masking "a" would mangle every log line while protecting nothing.
 */
export interface Masker {
  mask(text: string): string
  add(secret: string | undefined): void
}

export function createMasker(secrets: Iterable<string | undefined> = []): Masker {
  const values = new Set<string>()
  let pattern: RegExp | undefined
  const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  function rebuild() {
    const sorted = [...values].sort((a, b) => b.length - a.length)
    pattern = sorted.length ? new RegExp(sorted.map(escapeRegex).join('|'), 'g') : undefined
  }
  const masker: Masker = {
    mask(text) {
      return pattern ? text.replace(pattern, '***') : text
    },
    add(secret) {
      if (!secret || secret.length < 4 || values.has(secret)) return
      values.add(secret)
      rebuild()
    },
  }
  for (const s of secrets) masker.add(s)
  return masker
}
