/** Small real files for attachment tests: each starts with its format's magic bytes. */

/** A valid 1×1 PNG. */
export const PNG_1X1 = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
)

/** A minimal one-page PDF. */
export const PDF_SMALL = new TextEncoder().encode(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
)

/** The start of an Ogg stream (a voice note's container), padded. */
export const OGG_VOICE = Uint8Array.from([
  ...new TextEncoder().encode('OggS'),
  0,
  2,
  ...new Array(200).fill(7),
])

/** `n` bytes that sniff as a PDF. */
export function bigPdf(n: number): Uint8Array {
  const out = new Uint8Array(n).fill(0x41)
  out.set(new TextEncoder().encode('%PDF-1.4\n'))
  return out
}
