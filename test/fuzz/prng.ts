/**
 * A seeded PRNG and a property runner for the fuzz tests. Every run uses one base seed (random, or
 * NGB_FUZZ_SEED to replay); each iteration derives its own, so a failure names the exact case.
 */

export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max]. */
  int(min: number, max: number): number
  bool(p?: number): boolean
  pick<T>(items: readonly T[]): T
  /** `n` characters, each drawn from `alphabet` (a string of code points). */
  string(n: number, alphabet: string): string
}

/** mulberry32: tiny, fast, and good enough to spread test inputs; not for anything secret. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)]
    if (item === undefined && items.length === 0) throw new Error('pick from an empty list')
    return item as T
  }
  return {
    next,
    int,
    bool: (p = 0.5) => next() < p,
    pick,
    string(n, alphabet) {
      const chars = [...alphabet]
      let out = ''
      for (let i = 0; i < n; i++) out += pick(chars)
      return out
    },
  }
}

const envSeed = process.env.NGB_FUZZ_SEED
/** This run's base seed: NGB_FUZZ_SEED replays a failure, otherwise each run explores new inputs. */
export const FUZZ_SEED = envSeed !== undefined ? Number(envSeed) >>> 0 : (Math.random() * 2 ** 32) >>> 0

/** The seed of iteration `i` under `base` (a bijective mix, so neighbouring iterations differ). */
export function iterationSeed(base: number, i: number): number {
  return (Math.imul(base ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0
}

/**
 * Runs `check` `iterations` times with fresh generators; the first failure is rethrown with the
 * seed and iteration that reproduce it (`NGB_FUZZ_SEED=<seed> bun test <file>`).
 */
export async function forAll(
  name: string,
  iterations: number,
  check: (rng: Rng, i: number) => void | Promise<void>,
): Promise<number> {
  for (let i = 0; i < iterations; i++) {
    try {
      await check(createRng(iterationSeed(FUZZ_SEED, i)), i)
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      throw new Error(
        `${name}: failed at iteration ${i} of seed ${FUZZ_SEED} (replay: NGB_FUZZ_SEED=${FUZZ_SEED})\n${reason}`,
        { cause: err },
      )
    }
  }
  return iterations
}
