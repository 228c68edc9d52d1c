import type { GlobalFlags } from '../context.ts'
import { loadFromFlags } from '../context.ts'
import { note } from '../output.ts'
import type { Admin } from './admin.ts'
import { connectAdmin } from './connect.ts'

/** Runs `fn` with the admin for the configured data dir and closes it afterwards. */
export async function withAdmin<T>(flags: GlobalFlags, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const { config } = loadFromFlags(flags)
  const admin = await connectAdmin(config, { say: note })
  if (flags.debug) note(`(via ${admin.via})`)
  try {
    return await fn(admin)
  } finally {
    admin.close()
  }
}
