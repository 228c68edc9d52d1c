import type { ContainerInput } from '../../../../src/protocol/container.ts'
import { RESERVED_ENV } from '../../../../src/protocol/container.ts'
import { PLACEHOLDER_KEY } from './key-proxy.ts'

/** Credential variable names; they reach the CLI only, never a Bash tool call (see hooks.ts). */
export const CREDENTIAL_VARS = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_AUTH_TOKEN',
] as const

/** Keep the CLI to one destination: the Messages API at ANTHROPIC_BASE_URL (stack.md §6.3). */
const QUIET = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_AUTOUPDATER: '1',
} as const

/** Variables of the runner's own environment the CLI may inherit; everything else is dropped. */
const PASSTHROUGH = ['PATH', 'SHELL', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'USER'] as const

/**
 * The CLI subprocess environment, built explicitly: the SDK's `env` option replaces the inherited
 * environment, so nothing of the runner's (or the image's) leaks in by accident.
 */
export function buildCliEnv(
  input: ContainerInput,
  home: string,
  processEnv: Record<string, string | undefined>,
  /** The key proxy's URL (key-proxy.ts): the CLI then gets a placeholder key and this base URL. */
  proxyUrl?: string,
): Record<string, string> {
  const env: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin' }
  // The user's variables first, so nothing below (paths, credentials, quiet flags) can be overridden.
  for (const [name, value] of Object.entries(input.userEnv ?? {})) {
    if (!RESERVED_ENV.test(name)) env[name] = value
  }
  for (const name of PASSTHROUGH) {
    const value = processEnv[name]
    if (value) env[name] = value
  }
  env.HOME = home
  // All CLI state (sessions, .claude.json) under the one directory the host mounts per group.
  env.CLAUDE_CONFIG_DIR = `${home}/.claude`
  const { ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN } = input.secrets
  if (ANTHROPIC_API_KEY && proxyUrl) {
    env.ANTHROPIC_API_KEY = PLACEHOLDER_KEY
    env.ANTHROPIC_BASE_URL = proxyUrl
  } else {
    if (ANTHROPIC_API_KEY) env.ANTHROPIC_API_KEY = ANTHROPIC_API_KEY
    if (input.env?.ANTHROPIC_BASE_URL) env.ANTHROPIC_BASE_URL = input.env.ANTHROPIC_BASE_URL
  }
  if (CLAUDE_CODE_OAUTH_TOKEN) env.CLAUDE_CODE_OAUTH_TOKEN = CLAUDE_CODE_OAUTH_TOKEN
  if (input.env?.ANTHROPIC_MODEL) env.ANTHROPIC_MODEL = input.env.ANTHROPIC_MODEL
  return { ...env, ...QUIET }
}

/** The Bash command with the credentials unset first, so the tool's shell never sees them. */
export function withoutCredentials(command: string): string {
  return `unset ${CREDENTIAL_VARS.join(' ')}; ${command}`
}
