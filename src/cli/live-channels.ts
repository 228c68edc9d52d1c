import * as v from 'valibot'
import { ensureCliToken } from './admin/cli-token.ts'
import { liveServer } from './serve-file.ts'

const LiveChannel = v.object({
  name: v.string(),
  status: v.picklist(['connecting', 'connected', 'disconnected', 'error', 'disabled']),
  detail: v.optional(v.nullable(v.string())),
})
export type LiveChannel = v.InferOutput<typeof LiveChannel>

/**
 * The channels' live state from a running `ngb serve` on this data dir (its /api/channels, with the
 * CLI token), so `ngb doctor` can say "connected" or "bad credentials" rather than only "configured".
 * Undefined when no serve runs or it does not answer in time: doctor then reports the config alone.
 */
export async function fetchLiveChannels(
  dataDir: string,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<Map<string, LiveChannel> | undefined> {
  const server = liveServer(dataDir)
  if (!server) return undefined
  const get = (renew: boolean) =>
    (opts.fetch ?? fetch)(`${server.url}/api/channels`, {
      headers: { authorization: `Bearer ${ensureCliToken(dataDir, { renew })}` },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 3000),
    })
  try {
    let res = await get(false)
    // The CLI token was revoked on the dashboard: mint a new one once, as the admin commands do.
    if (res.status === 401) res = await get(true)
    if (!res.ok) return undefined
    const parsed = v.safeParse(v.array(LiveChannel), await res.json())
    return parsed.success ? new Map(parsed.output.map((c) => [c.name, c])) : undefined
  } catch {
    // A serve that is starting or stopping: the config-only checks still stand.
    return undefined
  }
}
