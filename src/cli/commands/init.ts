import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defineCommand } from 'citty'
import { defaultConfigDir } from '../../config/paths.ts'
import type { ConfigKey } from '../../config/schema.ts'
import { ConflictError } from '../../core/errors.ts'
import { buildProductionImage } from '../../image/prod-image.ts'
import { buildTestImage, TEST_IMAGE } from '../../image/test-image.ts'
import { globalArgs, loadFromFlags } from '../context.ts'
import { withExamples } from '../help.ts'
import { type AgentKind, envOf, gatherAnswers, type InitAnswers } from '../init/answers.ts'
import { renderDotenv, renderToml, writePrivateFile } from '../init/files.ts'
import { createProgress } from '../init/progress.ts'
import { createPrompter } from '../init/prompt.ts'
import { installService } from '../service/apply.ts'
import { applyDeps, hostFacts } from '../service/host.ts'
import { planService } from '../service/plan.ts'

type Value = string | number | boolean

/** The non-secret settings: ngb.toml. Secrets never go there. */
function tomlSettings(
  a: InitAnswers,
  dataDir: string,
  defaultDataDir: boolean,
): Partial<Record<ConfigKey, Value>> {
  const out: Partial<Record<ConfigKey, Value>> = { assistantName: a.assistantName, agentProvider: a.agent }
  if (!defaultDataDir) out.dataDir = dataDir
  if (a.agent === 'mock') {
    out.containerImage = TEST_IMAGE
    out.containerNetwork = 'none'
  }
  for (const { row, values } of a.platforms) {
    for (const [key, value] of Object.entries(values) as Array<[ConfigKey, string]>) {
      if (!row.secretKeys.includes(key)) out[key] = value
    }
  }
  return out
}

/** The secrets: `<data dir>/.env`, mode 0600. */
function dotenvVars(a: InitAnswers): Record<string, string> {
  const vars: Record<string, string> = { NGB_ADMIN_PASSWORD: a.adminPassword, ...a.agentSecrets }
  for (const { row, values } of a.platforms) {
    const secrets = Object.fromEntries(
      Object.entries(values).filter(([key]) => row.secretKeys.includes(key as ConfigKey)),
    ) as Partial<Record<ConfigKey, string>>
    Object.assign(vars, envOf(secrets))
  }
  return vars
}

async function buildImage(agent: AgentKind, cli: string, out: NodeJS.WriteStream): Promise<void> {
  const progress = createProgress(out)
  try {
    if (agent === 'mock') {
      progress.phase('assembling the offline mock agent image (no registry needed)')
      const r = await buildTestImage({ cli })
      progress.done(`${r.tag} ${r.cached ? 'is up to date' : 'built'} (${Math.round(r.ms / 100) / 10} s)`)
      return
    }
    progress.phase('building the agent image (docker build)')
    const r = await buildProductionImage({ cli, onLine: (line) => progress.line(line) })
    progress.done(`${r.tag} built (${Math.round(r.ms / 1000)} s)`)
  } catch (error) {
    progress.fail(`the agent image was not built: ${(error as Error).message}`)
    throw error
  }
}

export default withExamples(
  defineCommand({
    meta: {
      name: 'init',
      description:
        'Set ngb up: assistant name, admin password, chat platforms (checked), ngb.toml + .env (0600), the agent image, a service',
    },
    args: {
      ...globalArgs,
      'assistant-name': { type: 'string', description: 'The name people @mention (default Andy)' },
      agent: { type: 'string', description: 'claude (default) or mock (the offline demo agent)' },
      platform: {
        type: 'string',
        description: 'Connect this platform (repeatable); its tokens come from the environment',
      },
      yes: {
        type: 'boolean',
        description: 'No questions: flags and environment only (the default off a terminal)',
      },
      force: { type: 'boolean', description: 'Replace an existing ngb.toml and .env' },
      image: {
        type: 'boolean',
        description: 'Build the agent image (default yes; --no-image skips)',
        default: true,
      },
      service: { type: 'boolean', description: 'Install and start `ngb serve` as a service' },
    },
    async run({ args, rawArgs }) {
      const say = (line: string) => process.stdout.write(`${line}\n`)
      const loaded = loadFromFlags(args)
      const interactive = Boolean(process.stdin.isTTY) && !args.yes
      const prompter = interactive ? createPrompter() : undefined
      try {
        // citty keeps only the last of a repeated flag; every --platform counts.
        const platforms = rawArgs.flatMap((a, i) =>
          a === '--platform' ? [rawArgs[i + 1] ?? ''] : a.startsWith('--platform=') ? [a.slice(11)] : [],
        )
        const answers = await gatherAnswers({
          env: process.env,
          flags: { assistantName: args['assistant-name'], agent: args.agent, platforms },
          prompter,
          say,
          defaults: loaded.config,
        })
        const tomlPath =
          args.config ?? process.env.NGB_CONFIG ?? join(defaultConfigDir(process.env), 'ngb.toml')
        const dataDir = loaded.config.dataDir
        const isDefaultDataDir = !args['data-dir'] && !process.env.NGB_DATA_DIR
        const envFile = join(dataDir, '.env')
        const existing = [tomlPath, envFile].filter((f) => existsSync(f))
        const force =
          Boolean(args.force) ||
          (prompter && existing.length > 0
            ? await prompter.confirm(`Replace ${existing.join(' and ')}?`, false)
            : false)
        // Checked before writing either file, so a refusal leaves no half-new configuration.
        if (existing.length > 0 && !force)
          throw new ConflictError(`${existing.join(' and ')} already exist; pass --force to replace them`)
        writePrivateFile(tomlPath, renderToml(tomlSettings(answers, dataDir, isDefaultDataDir)), force)
        writePrivateFile(envFile, renderDotenv(dotenvVars(answers)), force)
        say(`wrote ${tomlPath} and ${envFile} (mode 0600)`)
        if (args.image) await buildImage(answers.agent, loaded.config.containerCli, process.stdout)
        const wantService =
          args.service ?? (prompter ? await prompter.confirm('Run ngb as a service now?', false) : false)
        if (wantService) {
          const plan = planService(hostFacts(), { name: 'ngb', dataDir, configFile: tomlPath })
          await installService(plan, { force: true }, applyDeps(plan))
          say(`service installed: ${plan.file}`)
        }
        const host = loaded.config.webHost === '0.0.0.0' ? '127.0.0.1' : loaded.config.webHost
        say(`\nDashboard: http://${host}:${loaded.config.webPort}  (log in as admin)`)
        say(wantService ? 'ngb is running as a service.' : 'Start it with: ngb serve')
      } finally {
        prompter?.close()
      }
    },
  }),
  [
    'ngb init                                        # asks for everything, on a terminal',
    'NGB_ADMIN_PASSWORD=… TELEGRAM_BOT_TOKEN=… ngb init --yes --platform telegram',
    'NGB_ADMIN_PASSWORD=… ngb init --yes --agent mock # offline try-out',
  ],
)
