/** A bounded set that forgets the oldest entries; used to drop redelivered platform events. */
export interface LruSet {
  /** Returns true when the key was new (and records it), false when it was seen before. */
  add(key: string): boolean
  has(key: string): boolean
  readonly size: number
}

export function createLruSet(capacity: number): LruSet {
  const keys = new Map<string, true>()
  return {
    add(key) {
      if (keys.has(key)) {
        keys.delete(key)
        keys.set(key, true)
        return false
      }
      keys.set(key, true)
      if (keys.size > capacity) {
        const oldest = keys.keys().next()
        if (!oldest.done) keys.delete(oldest.value)
      }
      return true
    },
    has: (key) => keys.has(key),
    get size() {
      return keys.size
    },
  }
}
