import { createHmac, timingSafeEqual } from 'node:crypto'

/** Lower-case hex HMAC-SHA256 of `body` keyed by `secret`. */
export function hmacSha256Hex(secret: string, body: Uint8Array | string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

/**
 * Compares two secrets or signatures in constant time (for equal lengths; a length difference is
 * not secret). Used for webhook signatures and verify tokens, so a caller cannot learn a valid value
 * byte by byte from response timing.
 */
export function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (given === null || given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** True when `signature` (hex, optionally `sha256=`-prefixed) is the HMAC-SHA256 of `body`. */
export function verifyHmacSha256(
  secret: string,
  body: Uint8Array | string,
  signature: string | null | undefined,
): boolean {
  if (!signature) return false
  const hex = signature.startsWith('sha256=') ? signature.slice(7) : signature
  return sameSecret(hex.toLowerCase(), hmacSha256Hex(secret, body))
}
