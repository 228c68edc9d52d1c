import { accessSync, constants, mkdirSync } from 'node:fs'
import { defineCommand } from 'citty'
import { neededKeys, PLATFORMS, platformState } from '../../channels/platforms.ts'
import type { LoadedConfig } from '../../config/load.ts'
import { SETTINGS } from '../../config/sources.ts'
import { runEngine } from '../../core/container/engine.ts'
import { errorMessage } from '../../core/errors.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { fetchLiveChannels, type LiveChannel } from '../live-channels.ts'
import { printJson, useColor } from '../output.ts'

export interface Check {
  name: string
  ok: boolean
  detail: string
  hint?: string
}

export async function runChecks(loaded: LoadedConfig): Promise<Check[]> {
  const { config } = loaded
  const checks: Check[] = [
    { name: 'config', ok: true, detail: loaded.files.toml ?? 'defaults and environment' },
  ]
  try {
    mkdirSync(config.dataDir, { recursive: true })
    accessSync(config.dataDir, constants.W_OK)
    checks.push({ name: 'data dir', ok: true, detail: `${config.dataDir} is writable` })
  } catch (error) {
    checks.push({
      name: 'data dir',
      ok: false,
      detail: errorMessage(error),
      hint: 'set NGB_DATA_DIR to a directory you can write',
    })
  }
  const info = await runEngine(config.containerCli, ['info', '--format', '{{.ServerVersion}}'], {
    timeoutMs: 10_000,
  })
  const engine = info.code === 0
  checks.push(
    engine
      ? { name: 'container engine', ok: true, detail: `${config.containerCli} server ${info.out.trim()}` }
      : {
          name: 'container engine',
          ok: false,
          detail: (info.err.trim() || info.out.trim()).split('\n')[0] ?? 'unreachable',
          hint: 'install Docker and start it (or set NGB_CONTAINER_CLI / DOCKER_HOST)',
        },
  )
  if (engine) {
    const image = await runEngine(
      config.containerCli,
      ['image', 'inspect', '--format', '{{.Id}}', config.containerImage],
      { timeoutMs: 10_000 },
    )
    checks.push(
      image.code === 0
        ? {
            name: 'agent image',
            ok: true,
            detail: `${config.containerImage} ${image.out.trim().slice(7, 19)}`,
          }
        : {
            name: 'agent image',
            ok: false,
            detail: `${config.containerImage} is not present`,
            hint: 'run `ngb image build` (or `ngb image build --test` for the offline mock agent)',
          },
    )
  }
  if (config.agentProvider === 'claude') {
    const cred = Boolean(config.anthropicApiKey || config.claudeOauthToken)
    checks.push({
      name: 'claude credentials',
      ok: cred,
      detail: cred ? 'configured' : 'missing',
      hint: cred
        ? undefined
        : 'set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN (or NGB_AGENT_PROVIDER=mock)',
    })
  }
  // Probes ask each platform over the network; they run side by side, each with its own timeout.
  const [live, platformChecks] = await Promise.all([
    fetchLiveChannels(config.dataDir),
    Promise.all(PLATFORMS.map((row) => platformCheck(row, loaded))),
  ])
  checks.push(...platformChecks.map((c) => withLiveState(c, live?.get(c.name))))
  return checks
}

/** With `ngb serve` running, a ready platform's check reports what the channel is doing right now. */
function withLiveState(check: Check, live: LiveChannel | undefined): Check {
  if (!live || !check.ok || live.status === 'disconnected') return check
  const detail = `${live.status}${live.detail ? ` (${live.detail})` : ''} in the running ngb serve`
  if (live.status === 'error')
    return {
      ...check,
      ok: false,
      detail,
      hint: 'check the credentials and settings shown by `ngb config show`',
    }
  return { ...check, detail }
}

/**
 * One line per platform row: off is fine (not every install chats everywhere), half-configured is
 * not; a ready row with a probe is asked whether the platform accepts its credentials.
 */
async function platformCheck(row: (typeof PLATFORMS)[number], loaded: LoadedConfig): Promise<Check> {
  const s = platformState(row, loaded.config)
  const vars = neededKeys(row)
    .map((k) => SETTINGS[k].env)
    .join(' and ')
  if (s.state === 'ready' && row.probe) {
    const r = await row.probe(loaded.config)
    return r.ok
      ? { name: row.name, ok: true, detail: `${r.detail}; starts with ngb serve` }
      : { name: row.name, ok: false, detail: r.detail, hint: r.hint }
  }
  if (s.state === 'ready') return { name: row.name, ok: true, detail: `${vars} set; starts with ngb serve` }
  if (s.state === 'off') return { name: row.name, ok: true, detail: `off (set ${vars} to enable)` }
  return {
    name: row.name,
    ok: false,
    detail: `credentials incomplete: ${s.missing.join(', ')} missing, so ${row.label} stays off`,
    hint: `set ${s.missing.join(' and ')}, or unset the others to turn ${row.label} off`,
  }
}

export default withExamples(
  defineCommand({
    meta: {
      name: 'doctor',
      description:
        'Check that ngb can run here: config, data dir, Docker, agent image, credentials, chat platforms',
    },
    args: { ...globalArgs, json: { type: 'boolean', description: 'Print JSON' } },
    async run({ args }) {
      const checks = await runChecks(loadFromFlags(args))
      if (args.json) printJson(checks)
      else {
        const color = useColor()
        for (const c of checks) {
          const mark = c.ok
            ? color
              ? '\x1b[32mok\x1b[0m'
              : 'ok'
            : color
              ? '\x1b[31mproblem\x1b[0m'
              : 'problem'
          process.stdout.write(
            `${mark.padEnd(color ? 16 : 7)} ${c.name}: ${c.detail}${c.hint ? `\n        hint: ${c.hint}` : ''}\n`,
          )
        }
      }
      if (checks.some((c) => !c.ok)) process.exitCode = 1
    },
  }),
  ['ngb doctor', 'ngb doctor --json'],
)
