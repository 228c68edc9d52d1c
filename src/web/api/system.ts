import { Elysia } from 'elysia'
import type { AuthService } from '../auth/auth-service.ts'
import type { ChannelsService, PluginsService, WebServices } from '../services.ts'
import { EnabledBody, IdParams, NameParams, PluginConfigBody, TokenBody } from './schemas.ts'

/** /api/channels, /api/plugins, /api/config and /api/tokens (API bearer tokens). */
export function systemApi(deps: {
  channels: ChannelsService
  plugins: PluginsService
  config: WebServices['config']
  auth: AuthService
}) {
  return new Elysia({ tags: ['system'] })
    .get('/api/channels', () => deps.channels.list())
    .put(
      '/api/channels/:name/enabled',
      ({ params, body }) => deps.channels.setEnabled(params.name, body.enabled),
      {
        params: NameParams,
        body: EnabledBody,
      },
    )
    .get('/api/plugins', () => deps.plugins.list())
    .put(
      '/api/plugins/:name/enabled',
      ({ params, body }) => deps.plugins.setEnabled(params.name, body.enabled),
      {
        params: NameParams,
        body: EnabledBody,
      },
    )
    .put(
      '/api/plugins/:name/config',
      ({ params, body }) => deps.plugins.setConfig(params.name, body.config),
      {
        params: NameParams,
        body: PluginConfigBody,
      },
    )
    .get('/api/config', () => deps.config.describe())
    .get('/api/tokens', () => deps.auth.listApiTokens())
    .post(
      '/api/tokens',
      ({ body, status }) => {
        const { token, record } = deps.auth.createApiToken(body.name)
        // The token is shown once; only its hash is stored.
        return status(201, { ...record, token })
      },
      { body: TokenBody },
    )
    .delete(
      '/api/tokens/:id',
      ({ params, status }) =>
        deps.auth.revokeApiToken(params.id)
          ? status(204, undefined)
          : status(404, { error: 'not_found', message: `token "${params.id}" does not exist or is revoked` }),
      { params: IdParams },
    )
}
