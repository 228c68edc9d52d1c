import type { Rng } from './prng.ts'

/** Characters that break naive parsers: quotes, separators, markup, controls, astral and RTL text. */
export const NASTY = ':#@/\\+=%&<>"\'`*_~[](){}|!?.,;\n\t\r \u0000\u200b\u202e\u00e9\u4e2d\u{1f600}'
export const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** A string mixing ordinary and hostile characters, length 0..max. */
export function junk(rng: Rng, max = 40): string {
  const n = rng.int(0, max)
  let out = ''
  for (let i = 0; i < n; i++) out += rng.bool(0.6) ? rng.string(1, ALNUM) : rng.string(1, NASTY)
  return out
}

/** Any JSON value, up to `depth` levels, with hostile strings and keys (`__proto__`, huge numbers). */
export function randomJson(rng: Rng, depth = 4): unknown {
  const leaf = () =>
    rng.pick<() => unknown>([
      () => null,
      () => rng.bool(),
      () => rng.int(-1e6, 1e6),
      () => rng.pick([0, -0, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 0.1, 1.5]),
      () => junk(rng),
      () => rng.pick(['', ' ', 'main', 'always', 'mention', 'telegram:1', '* * * * *', 'now', '1h']),
    ])()
  if (depth <= 0 || rng.bool(0.4)) return leaf()
  if (rng.bool()) return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1))
  const obj: Record<string, unknown> = {}
  for (let i = rng.int(0, 5); i > 0; i--) {
    const key = rng.pick(['__proto__', 'constructor', 'folder', 'name', 'text', 'type', junk(rng, 8)])
    Object.defineProperty(obj, key, {
      value: randomJson(rng, depth - 1),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return obj
}

/** `[[[…]]]` nested `levels` deep, as raw text (JSON.stringify would recurse as deep). */
export function deepJsonText(levels: number, open = '[', close = ']'): string {
  return open.repeat(levels) + close.repeat(levels)
}
