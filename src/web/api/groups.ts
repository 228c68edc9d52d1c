import { Elysia } from 'elysia'
import type { WebGroupsService } from '../services.ts'
import {
  BindBody,
  CreateGroupBody,
  FolderParams,
  GroupSettingsSchema,
  MemoryBody,
  RemoveGroupQuery,
  TokenTtlBody,
  UpdateGroupBody,
} from './schemas.ts'

/** /api/groups: CRUD, settings, memory (CLAUDE.md), bindings and bind tokens. */
export function groupsApi(groups: WebGroupsService) {
  return new Elysia({ prefix: '/api/groups', tags: ['groups'] })
    .get('/', () => groups.list())
    .post('/', ({ body, status }) => status(201, groups.create(body)), { body: CreateGroupBody })
    .get('/:folder', ({ params }) => groups.get(params.folder), { params: FolderParams })
    .patch('/:folder', ({ params, body }) => groups.update(params.folder, body), {
      params: FolderParams,
      body: UpdateGroupBody,
    })
    .delete(
      '/:folder',
      ({ params, query, status }) => {
        groups.remove(params.folder, { force: query.force === 'true' || query.force === '1' })
        return status(204, undefined)
      },
      { params: FolderParams, query: RemoveGroupQuery },
    )
    .get('/:folder/settings', ({ params }) => groups.get(params.folder).settings, { params: FolderParams })
    .put(
      '/:folder/settings',
      ({ params, body }) => groups.update(params.folder, { settings: body }).settings,
      {
        params: FolderParams,
        body: GroupSettingsSchema,
      },
    )
    .get('/:folder/memory', ({ params }) => ({ text: groups.readMemory(params.folder) }), {
      params: FolderParams,
    })
    .put(
      '/:folder/memory',
      ({ params, body }) => {
        groups.writeMemory(params.folder, body.text)
        return { text: body.text }
      },
      { params: FolderParams, body: MemoryBody },
    )
    .get('/:folder/bindings', ({ params }) => groups.chatsOf(params.folder).map((chatJid) => ({ chatJid })), {
      params: FolderParams,
    })
    .post(
      '/:folder/bindings',
      ({ params, body, status }) => {
        groups.bind(params.folder, body.chatJid, { move: body.move })
        return status(201, { chatJid: body.chatJid, groupFolder: params.folder })
      },
      { params: FolderParams, body: BindBody },
    )
    .get('/:folder/tokens', ({ params }) => groups.activeBindTokens(params.folder), { params: FolderParams })
    .post(
      '/:folder/tokens',
      ({ params, body, status }) => status(201, groups.createBindToken(params.folder, body?.ttlMs)),
      { params: FolderParams, body: TokenTtlBody },
    )
}
