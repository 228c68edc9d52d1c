import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs'
import type { LocalChannel } from '../../channels/shared/local.ts'
import { NotFoundError } from '../../core/errors.ts'
import type { EventBus } from '../../core/events.ts'
import type { Repos } from '../../db/repos/index.ts'
import type { ChatsService, RunsService, SessionsService, WebChatService } from '../services.ts'

const LOG_TAIL_BYTES = 256 * 1024

export function createRepoChats(repos: Pick<Repos, 'chats' | 'messages'>): ChatsService {
  return {
    list: (opts) => repos.chats.list(opts),
    messages: (jid, opts) => repos.messages.page(jid, opts),
    search: (text, opts) => repos.messages.search(text, opts),
  }
}

export function readTail(path: string, maxBytes = LOG_TAIL_BYTES): string {
  if (!existsSync(path)) return ''
  const size = statSync(path).size
  const start = Math.max(0, size - maxBytes)
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(size - start)
    readSync(fd, buf, 0, buf.length, start)
    return buf.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

export function createRepoRuns(repos: Pick<Repos, 'runs'>): RunsService {
  const get = (id: string) => {
    const r = repos.runs.get(id)
    if (!r) throw new NotFoundError(`run "${id}" does not exist`)
    return r
  }
  return {
    list: (opts) => repos.runs.list(opts),
    running: () => repos.runs.running(),
    get,
    log: (id) => {
      const r = get(id)
      return r.logPath ? readTail(r.logPath) : ''
    },
  }
}

export function createRepoSessions(repos: Pick<Repos, 'sessions'>): SessionsService {
  return {
    list: () => repos.sessions.list(),
    reset: (folder, scope) => repos.sessions.clear(folder, scope),
  }
}

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
  const jidOf = (folder: string) => `web:${folder}`
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
export function createChannelWebChat(web: Pick<LocalChannel, 'post'>): WebChatService {
  return {
    jidOf: (folder) => `web:${folder}`,
    async post({ groupFolder, text, senderName }) {
      const r = await web.post(groupFolder, text, { id: 'admin', name: senderName })
      return { chatJid: r.jid, messageId: r.messageId }
    },
  }
}
