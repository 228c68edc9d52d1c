import { Elysia } from 'elysia'
import * as v from 'valibot'
import { Notice } from '../../../views/components.tsx'
import { ChannelRow, ChannelsPage } from '../../../views/pages/channels.tsx'
import { ChatRow, ChatsPage } from '../../../views/pages/chats.tsx'
import { PluginRow, PluginStatusTable, PluginsPage } from '../../../views/pages/plugins.tsx'
import { RunDetailPage, RunsPage } from '../../../views/pages/runs.tsx'
import { SettingsPage } from '../../../views/pages/settings.tsx'
import { InvalidInputError } from '../../core/errors.ts'
import { BindBody, FolderParams, IdParams, NameParams, SessionResetBody, TokenBody } from '../api/schemas.ts'
import type { AuthService } from '../auth/auth-service.ts'
import type { AuthGuard } from '../auth/guard.ts'
import type { WebServices } from '../services.ts'
import type { RenderPage } from './render.tsx'
import { fragment } from './render.tsx'

const BindForm = v.object({ chatJid: BindBody.entries.chatJid, groupFolder: FolderParams.entries.folder })
const Toggle = v.object({ name: NameParams.entries.name, action: v.picklist(['enable', 'disable']) })
const ConfigForm = v.object({ config: v.pipe(v.string(), v.maxLength(64 * 1024)) })

/** The plugin status table refreshes on this event at once instead of at its next 2 s poll. */
const PLUGINS_CHANGED = { 'HX-Trigger': 'plugins-changed' }

/** Chats, runs, channels, plugins and settings pages with their small actions. */
export function systemPages(deps: {
  guard: AuthGuard
  render: RenderPage
  services: WebServices
  auth: AuthService
}) {
  const s = deps.services
  return new Elysia()
    .use(deps.guard)
    .get('/chats', ({ principal }) =>
      deps.render(principal, {
        title: 'Chats',
        active: '/chats',
        body: <ChatsPage chats={s.chats.list()} groups={s.groups.list()} />,
      }),
    )
    .post(
      '/chats/bind',
      ({ body }) => {
        s.groups.bind(body.groupFolder, body.chatJid)
        const chat = s.chats.list().find((c) => c.jid === body.chatJid)
        return chat ? fragment(<ChatRow chat={chat} groups={s.groups.list()} />) : fragment('')
      },
      { body: BindForm },
    )
    .post(
      '/chats/unbind',
      ({ body }) => {
        s.groups.unbind(body.chatJid)
        return fragment('')
      },
      { body: BindBody },
    )
    .get('/runs', ({ principal }) =>
      deps.render(principal, {
        title: 'Runs',
        active: '/runs',
        live: '/ws/ui?view=runs',
        body: <RunsPage runs={s.runs.list({ limit: 100 })} />,
      }),
    )
    .get(
      '/runs/:id',
      ({ principal, params }) =>
        deps.render(principal, {
          title: `Run ${params.id}`,
          active: '/runs',
          body: <RunDetailPage run={s.runs.get(params.id)} log={s.runs.log(params.id)} />,
        }),
      { params: IdParams },
    )
    .get('/channels', ({ principal }) =>
      deps.render(principal, {
        title: 'Channels',
        active: '/channels',
        body: <ChannelsPage channels={s.channels.list()} />,
      }),
    )
    .post(
      '/channels/:name/:action',
      async ({ params }) =>
        fragment(<ChannelRow c={await s.channels.setEnabled(params.name, params.action === 'enable')} />),
      { params: Toggle },
    )
    .get('/plugins', ({ principal }) =>
      deps.render(principal, {
        title: 'Plugins',
        active: '/plugins',
        body: <PluginsPage plugins={s.plugins.list()} />,
      }),
    )
    .get('/plugins/status', () => fragment(<PluginStatusTable plugins={s.plugins.list()} />))
    .post(
      '/plugins/:name/:action',
      ({ params }) =>
        fragment(
          <PluginRow p={s.plugins.setEnabled(params.name, params.action === 'enable')} />,
          200,
          PLUGINS_CHANGED,
        ),
      { params: Toggle },
    )
    .put(
      '/plugins/:name/config',
      ({ params, body }) => {
        let config: unknown
        try {
          config = JSON.parse(body.config)
        } catch (error) {
          throw new InvalidInputError(`config is not valid JSON: ${String(error)}`, 'config')
        }
        if (typeof config !== 'object' || config === null || Array.isArray(config))
          throw new InvalidInputError('config must be a JSON object', 'config')
        return fragment(
          <PluginRow p={s.plugins.setConfig(params.name, config as Record<string, unknown>)} />,
          200,
          PLUGINS_CHANGED,
        )
      },
      { params: NameParams, body: ConfigForm },
    )
    .get('/settings', ({ principal }) =>
      deps.render(principal, {
        title: 'Settings',
        active: '/settings',
        body: (
          <SettingsPage
            config={s.config.describe()}
            tokens={deps.auth.listApiTokens()}
            sessions={s.sessions.list()}
          />
        ),
      }),
    )
    .post(
      '/settings/tokens',
      ({ body }) => {
        const { token } = deps.auth.createApiToken(body.name)
        return fragment(<Notice text={`New token (shown once): ${token}`} />)
      },
      { body: TokenBody },
    )
    .post(
      '/settings/tokens/:id/revoke',
      ({ params }) => {
        deps.auth.revokeApiToken(params.id)
        return fragment(<li>Revoked.</li>)
      },
      { params: IdParams },
    )
    .post(
      '/sessions/:folder/reset',
      ({ params, body }) => {
        s.sessions.reset(params.folder, body.scope)
        return fragment(<li>Session reset; the next message starts a new one.</li>)
      },
      { params: FolderParams, body: SessionResetBody },
    )
}
