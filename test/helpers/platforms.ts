import { dataPaths } from '../../src/config/paths.ts'
import { createEventBus } from '../../src/core/events.ts'
import { createGroupsService } from '../../src/core/groups.ts'
import { openDatabase } from '../../src/db/open.ts'
import { createRepos } from '../../src/db/repos/index.ts'
import { systemClock } from '../../src/util/clock.ts'
import { startDingTalkHarness } from '../channels/dingtalk/harness.ts'
import { startDiscordHarness } from '../channels/discord/harness.ts'
import { startFeishuHarness } from '../channels/feishu/harness.ts'
import { startQqHarness } from '../channels/qq/harness.ts'
import { startSlackHarness } from '../channels/slack/harness.ts'
import { startTelegramHarness } from '../channels/telegram/harness.ts'
import { startWecomHarness } from '../channels/wecom/harness.ts'
import { startWhatsAppHarness } from '../channels/whatsapp/harness.ts'
import type { ContractHarness } from '../contract/channel-contract.ts'

export const PLATFORMS = [
  'telegram',
  'discord',
  'slack',
  'whatsapp',
  'dingtalk',
  'qq',
  'feishu',
  'wecom',
] as const
export type Platform = (typeof PLATFORMS)[number]

/** Platforms whose access tokens expire; their harnesses implement expireTokens. */
export const EXPIRING_TOKEN_PLATFORMS: Platform[] = ['dingtalk', 'qq', 'feishu']

/**
 * Platforms whose group bots see messages that do not mention them (QQ's group bots and WeCom's
 * AI bots are called only for @-messages).
 */
export const UNMENTIONED_GROUP_PLATFORMS: Platform[] = PLATFORMS.filter((p) => p !== 'qq' && p !== 'wecom')

/** Each platform's wire fake plus the real adapter's harness. */
export const START_HARNESS: Record<Platform, () => Promise<ContractHarness>> = {
  telegram: startTelegramHarness,
  discord: startDiscordHarness,
  slack: startSlackHarness,
  whatsapp: startWhatsAppHarness,
  dingtalk: startDingTalkHarness,
  qq: () => startQqHarness(),
  feishu: startFeishuHarness,
  wecom: startWecomHarness,
}

/**
 * Seeds a data dir before `ngb serve` starts: an admin group, and per platform a DM group
 * (`<p>-dm`, always) and a room group (`<p>-room`, mention) bound to the fake's chats.
 * Returns one unused bind token per platform, for the DM group.
 */
export function seedPlatformGroups(
  dataDir: string,
  h: Record<Platform, ContractHarness>,
): Record<Platform, string> {
  const paths = dataPaths(dataDir)
  const db = openDatabase(paths.db)
  try {
    const groups = createGroupsService({
      repos: createRepos(db),
      bus: createEventBus(),
      clock: systemClock,
      groupsDir: paths.groups,
    })
    groups.createGroup({ folder: 'admin' })
    const tokens = {} as Record<Platform, string>
    for (const p of PLATFORMS) {
      groups.createGroup({ folder: `${p}-dm`, triggerMode: 'always' })
      groups.createGroup({ folder: `${p}-room`, triggerMode: 'mention' })
      groups.bind(h[p].dmJid, `${p}-dm`)
      groups.bind(h[p].groupJid, `${p}-room`)
      tokens[p] = groups.createBindToken(`${p}-dm`).token
    }
    return tokens
  } finally {
    db.close()
  }
}

/** Every harness's environment for `ngb serve`, merged. */
export function platformEnv(h: Record<Platform, ContractHarness>): Record<string, string> {
  return Object.assign({}, ...PLATFORMS.map((p) => h[p].serveEnv))
}

/**
 * Once serve printed its dashboard URL: webhook fakes start posting to its /hooks/<platform>.
 * Returns the URL.
 */
export function attachServe(stdout: string, harnesses: ContractHarness[]): string {
  const url = /Dashboard: (http:\/\/\S+)/.exec(stdout)?.[1]
  if (!url) throw new Error(`no dashboard URL in serve's output:\n${stdout}`)
  for (const h of harnesses) h.attachServe?.(url)
  return url
}
