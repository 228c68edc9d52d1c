import { describe, expect, test } from 'bun:test'
import { InvalidInputError } from '../../src/core/errors.ts'
import { chatOf, formatJid, JID_KINDS, type Jid, parseJid } from '../../src/core/jid.ts'
import corpus from './corpus/jids.json'
import { ALNUM, junk, NASTY } from './gen.ts'
import { forAll, type Rng } from './prng.ts'

const ITERATIONS = 5000

/** A JID the format can express: ids never hold '#', and an id without a kind never starts with one. */
function randomJid(rng: Rng): Jid {
  const platform = rng.string(1, 'abcdefghijklmnopqrstuvwxyz') + rng.string(rng.int(0, 10), 'abz09_-')
  const kind = rng.bool() ? rng.pick(JID_KINDS) : undefined
  let id = rng.string(1, ALNUM) + rng.string(rng.int(0, 30), `${ALNUM}:/+=@.-_ \u00e9\u{1f600}`)
  if (!kind && JID_KINDS.some((k) => id.startsWith(`${k}:`))) id = `x${id}`
  const thread = rng.bool(0.3) ? rng.string(1, ALNUM) + junk(rng, 10).replace(/#/g, '') : undefined
  return { platform, kind, id, thread }
}

/** Parses `s` and returns the result, or the error when it is the clear kind (anything else fails). */
function parseOrRefuse(s: string): Jid | InvalidInputError {
  try {
    return parseJid(s)
  } catch (err) {
    if (!(err instanceof InvalidInputError)) throw err
    expect(err.message).toStartWith('invalid chat id')
    expect(err.field).toBe('jid')
    return err
  }
}

describe('JIDs (property)', () => {
  test('format → parse → format is the identity for every expressible JID', async () => {
    await forAll('jid round trip', ITERATIONS, (rng) => {
      const jid = randomJid(rng)
      const text = formatJid(jid)
      const parsed = parseJid(text)
      expect({ ...parsed, kind: parsed.kind, thread: parsed.thread }).toEqual({
        ...jid,
        kind: jid.kind,
        thread: jid.thread,
      })
      expect(formatJid(parsed)).toBe(text)
      expect(chatOf(text)).toBe(formatJid({ ...jid, thread: undefined }))
    })
  })

  test('any string is either parsed into a JID that formats back to it, or refused with a clear error', async () => {
    await forAll('jid garbage', ITERATIONS, (rng) => {
      const s = rng.bool() ? junk(rng, 30) : `${rng.string(rng.int(0, 6), `${ALNUM}:`)}:${junk(rng, 20)}`
      const r = parseOrRefuse(s)
      if (!(r instanceof InvalidInputError)) expect(formatJid(r)).toBe(s)
    })
  })

  test.each(corpus.valid)('corpus: %p parses and round-trips', (s) => {
    expect(formatJid(parseJid(s))).toBe(s)
  })

  test.each(corpus.invalid)('corpus: %p is refused with a clear error', (s) => {
    expect(parseOrRefuse(s)).toBeInstanceOf(InvalidInputError)
  })

  test('hostile characters in ids survive the round trip', () => {
    const id = `a${NASTY.replace(/#/g, '')}`
    expect(parseJid(formatJid({ platform: 'p', id })).id).toBe(id)
  })
})
