import type * as v from 'valibot'
import type { Plugin } from '../plugin.ts'

export interface BuiltinDeps {
  now: () => number
}

/** A plugin shipped inside ngb: its config schema and defaults, and a factory for a fresh instance. */
export interface BuiltinPlugin {
  name: string
  description: string
  defaults: Record<string, unknown>
  /** Checks a whole config (defaults merged in) before it is saved; its messages name the field. */
  schema: v.GenericSchema<unknown, Record<string, unknown>>
  create(deps: BuiltinDeps): Plugin
}
