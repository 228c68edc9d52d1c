import type { PostingChannel } from '../../channels/shared/local.ts'
import { NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import { dashboardChatOf } from '../../core/jid.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { WebChatService } from '../services.ts'

export interface FallbackWebChatDeps {
  repos: Pick<Repos, 'chats' | 'messages' | 'groups'>
  bus: EventBus
  now: () => number
}

/**
 * Without a pipeline (tests of the web layer alone): stores a dashboard message and publishes
 * message.in, binding `web:<folder>` to the group. Nothing answers it.
 */
export function createFallbackWebChat(deps: FallbackWebChatDeps): WebChatService {
  const jidOf = dashboardChatOf
  return {
    jidOf,
    async post({ groupFolder, text, senderName }) {
      if (!deps.repos.groups.get(groupFolder))
        throw new NotFoundError(`group "${groupFolder}" does not exist`)
      const jid = jidOf(groupFolder)
      const now = deps.now()
      deps.repos.chats.upsert(
        { jid, platform: 'web', name: `Dashboard (${groupFolder})`, isGroup: false, lastMessageAt: now },
        now,
      )
      if (!deps.repos.chats.bindingOf(jid)) deps.repos.chats.bind(jid, groupFolder, now)
      const stored = deps.repos.messages.insert({
        chatJid: jid,
        id: `web-${now}-${crypto.randomUUID().slice(0, 8)}`,
        senderJid: 'web:admin',
        senderName,
        text,
        ts: now,
        fromBot: false,
        isGroup: false,
        mentionsBot: true,
      })
      if (!stored) throw new Error('dashboard message was not stored')
      deps.bus.publish({ type: 'message.in', group: groupFolder, message: stored })
      return { chatJid: jid, messageId: stored.id }
    },
  }
}

/** The dashboard chat through the pipeline's `web` channel: replies come back as bus events. */
export function createChannelWebChat(web: Pick<PostingChannel, 'post'>): WebChatService {
  return {
    jidOf: dashboardChatOf,
    async post({ groupFolder, text, senderName, files }) {
      const r = await web.post(groupFolder, text, { id: 'admin', name: senderName }, files)
      return { chatJid: r.jid, messageId: r.messageId }
    },
  }
}
