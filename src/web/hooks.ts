import { Elysia } from 'elysia'
import { HOOKS_PREFIX, type WebhookRouter } from '../core/channel/webhooks.ts'

/** The route paths, for the public-route list. */
export const HOOK_ROUTES = [`GET ${HOOKS_PREFIX}/:platform`, `POST ${HOOKS_PREFIX}/:platform`]

/** The routes; registered before the auth guard (they are in PUBLIC_ROUTES). */
export function webhookRoutes(router: WebhookRouter) {
  // parse: 'none' keeps Elysia from consuming the body: the handler needs the raw bytes.
  return new Elysia({ name: 'ngb-hooks' })
    .get(`${HOOKS_PREFIX}/:platform`, ({ params, request }) => router.handle(params.platform, request), {
      parse: 'none',
    })
    .post(`${HOOKS_PREFIX}/:platform`, ({ params, request }) => router.handle(params.platform, request), {
      parse: 'none',
    })
}
