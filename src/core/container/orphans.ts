import type { ContainerRuntime } from './runtime.ts'

/**
 * Removes every container of this install (label ngb.install=<id>): after a crash they are
 * orphans nobody reads. Other installs on the same engine are left alone.
 */
export async function removeOrphans(runtime: ContainerRuntime, installId: string): Promise<string[]> {
  const found = await runtime.list({ 'ngb.install': installId })
  const names = found.map((c) => c.name).filter((n) => n !== '')
  await runtime.remove(names)
  return names
}
