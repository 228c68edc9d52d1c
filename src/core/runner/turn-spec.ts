import type { Config } from '../../config/schema.ts'
import type { ContainerInput } from '../../protocol/container.ts'
import type { ContainerSpec, Mount } from '../container/runtime.ts'
import type { TurnRequest } from './types.ts'

export type RunnerConfig = Pick<
  Config,
  | 'idleTimeoutMs'
  | 'hardTimeoutMs'
  | 'maxOutputBytes'
  | 'containerImage'
  | 'containerNetwork'
  | 'containerMemory'
  | 'containerCpus'
  | 'containerPidsLimit'
  | 'agentProvider'
  | 'assistantName'
  | 'anthropicApiKey'
  | 'claudeOauthToken'
  | 'anthropicBaseUrl'
  | 'anthropicModel'
>

export interface TurnSpec {
  spec: ContainerSpec
  input: ContainerInput
  hardTimeoutMs: number
}

/**
 * What one turn runs, decided in one place: per-turn overrides > the group's settings > config.
 * Pure; the secrets go into `input` (stdin) and nowhere in `spec`.
 */
export function buildTurnSpec(
  req: TurnRequest,
  config: RunnerConfig,
  ids: { name: string; runId: string; installId: string; user: { uid: number; gid: number } },
  mounts: Mount[],
): TurnSpec {
  const settings = req.group.settings
  const secrets: ContainerInput['secrets'] = {}
  if (config.anthropicApiKey) secrets.ANTHROPIC_API_KEY = config.anthropicApiKey
  if (config.claudeOauthToken) secrets.CLAUDE_CODE_OAUTH_TOKEN = config.claudeOauthToken
  return {
    spec: {
      name: ids.name,
      image: req.image ?? settings.image ?? config.containerImage,
      labels: { 'ngb.install': ids.installId, 'ngb.group': req.group.folder, 'ngb.run': ids.runId },
      user: `${ids.user.uid}:${ids.user.gid}`,
      network: settings.network ?? config.containerNetwork,
      memory: settings.memory ?? config.containerMemory,
      cpus: settings.cpus ?? config.containerCpus,
      pidsLimit: config.containerPidsLimit,
      mounts,
    },
    input: {
      prompt: req.prompt,
      sessionId: req.sessionId,
      group: req.group.folder,
      chatJid: req.chatJid,
      isMain: req.group.isMain,
      isScheduledTask: req.isScheduledTask,
      assistantName: config.assistantName,
      provider: req.provider ?? settings.provider ?? config.agentProvider,
      secrets,
      env: { ANTHROPIC_BASE_URL: config.anthropicBaseUrl, ANTHROPIC_MODEL: config.anthropicModel },
      userEnv: req.env,
      attachments: req.attachments?.length ? req.attachments : undefined,
    },
    hardTimeoutMs:
      req.timeoutMs ?? settings.timeoutMs ?? config.hardTimeoutMs ?? config.idleTimeoutMs + 60_000,
  }
}
