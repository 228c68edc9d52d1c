/**
 * The environment handed to host child processes (the docker CLI): only what the engine client
 * needs to find and talk to its daemon. Everything else, above all ANTHROPIC_API_KEY,
 * CLAUDE_CODE_OAUTH_TOKEN, NGB_ADMIN_PASSWORD and the platform tokens, stays in this process:
 * a child's environment is readable in /proc/<pid>/environ by the same user and ends up in crash
 * reports and `ps e`. An allowlist, so a secret added later is scrubbed without anyone remembering.
 */
const NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'TZ',
  'TMPDIR',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
])
/** Docker's and podman's own settings (host, context, TLS, config dir). */
const PREFIXES = ['DOCKER_', 'CONTAINER_', 'CONTAINERS_', 'BUILDKIT_', 'LC_']

export function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue
    if (NAMES.has(k) || PREFIXES.some((p) => k.startsWith(p))) out[k] = v
  }
  return out
}
