import { Elysia } from 'elysia'
import * as v from 'valibot'
import type { AuthGuard } from '../auth/guard.ts'
import type { ChatsService, WebChatService, WebGroupsService } from '../services.ts'
import { ChatsQuery, FolderParams, MessagesQuery, PostMessageBody } from './schemas.ts'

/** Bounded only: core/groups.ts checks the JID, with the same message as the CLI. */
const JidParams = v.object({ jid: v.pipe(v.string(), v.maxLength(1000)) })

/** /api/chats (bound and unbound), /api/messages (paged, search) and the dashboard chat post. */
export function chatsApi(deps: {
  chats: ChatsService
  groups: WebGroupsService
  webChat: WebChatService
  guard: AuthGuard
}) {
  return new Elysia({ tags: ['chats'] })
    .use(deps.guard)
    .get(
      '/api/chats',
      ({ query }) => deps.chats.list({ unboundOnly: query.unbound === 'true' || query.unbound === '1' }),
      {
        query: ChatsQuery,
      },
    )
    .delete(
      '/api/chats/:jid/binding',
      ({ params, status }) => {
        deps.groups.unbind(params.jid)
        return status(204, undefined)
      },
      { params: JidParams },
    )
    .get(
      '/api/messages',
      ({ query }) =>
        query.q
          ? deps.chats.search(query.q, { chatJid: query.chatJid, limit: query.limit })
          : query.chatJid
            ? deps.chats.messages(query.chatJid, { beforeSeq: query.before, limit: query.limit })
            : [],
      { query: MessagesQuery },
    )
    .post(
      '/api/groups/:folder/messages',
      async ({ params, body, status, principal }) => {
        deps.groups.get(params.folder)
        const m = await deps.webChat.post({
          groupFolder: params.folder,
          text: body.text,
          senderName: principal.username,
        })
        return status(202, m)
      },
      { params: FolderParams, body: PostMessageBody },
    )
}
