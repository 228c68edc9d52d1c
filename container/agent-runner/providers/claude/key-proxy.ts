/**
 * A loopback proxy in front of the Messages API that adds the API key itself, so the key never sits
 * in the Claude Code process's environment: the agent's shell runs as the same uid and could read
 * `/proc/<cli pid>/environ`. The key stays in the agent-runner's memory (it came on stdin).
 */

/** What the CLI is given instead of the key; the proxy replaces it on every request. */
export const PLACEHOLDER_KEY = 'sk-ant-ngb-proxied'
export const DEFAULT_UPSTREAM = 'https://api.anthropic.com'

/** Hop-by-hop and recomputed headers that must not be copied across the proxy. */
const DROP_REQUEST = ['host', 'connection', 'content-length', 'accept-encoding', 'x-api-key', 'authorization']
const DROP_RESPONSE = ['connection', 'content-length', 'content-encoding', 'transfer-encoding']

export interface KeyProxy {
  /** http://127.0.0.1:<port>, to give the CLI as ANTHROPIC_BASE_URL. */
  url: string
  stop(): Promise<void>
}

export interface KeyProxyOptions {
  apiKey: string
  /** The real API base URL (may carry a path prefix, e.g. a gateway). */
  upstream?: string
  fetch?: typeof fetch
}

export function startKeyProxy(opts: KeyProxyOptions): KeyProxy {
  const upstream = (opts.upstream ?? DEFAULT_UPSTREAM).replace(/\/+$/, '')
  const doFetch = opts.fetch ?? fetch
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    // Streaming answers can pause for minutes while the model thinks.
    idleTimeout: 0,
    fetch: async (req) => {
      const url = new URL(req.url)
      const headers = new Headers()
      req.headers.forEach((value, name) => {
        if (!DROP_REQUEST.includes(name.toLowerCase())) headers.set(name, value)
      })
      headers.set('x-api-key', opts.apiKey)
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
      try {
        const res = await doFetch(`${upstream}${url.pathname}${url.search}`, {
          method: req.method,
          headers,
          body: hasBody ? await req.arrayBuffer() : undefined,
          redirect: 'manual',
        })
        const out = new Headers()
        res.headers.forEach((value, name) => {
          if (!DROP_RESPONSE.includes(name.toLowerCase())) out.set(name, value)
        })
        return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out })
      } catch (err) {
        const message = `the agent-runner could not reach ${upstream}: ${err instanceof Error ? err.message : String(err)}`
        return Response.json({ type: 'error', error: { type: 'api_error', message } }, { status: 502 })
      }
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.stop(true)
    },
  }
}
