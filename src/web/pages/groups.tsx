import { Elysia } from 'elysia'
import * as v from 'valibot'
import { Notice } from '../../../views/components.tsx'
import { GroupDetailPage, GroupsPage, TokenNotice } from '../../../views/pages/groups.tsx'
import { UsageCharts } from '../../../views/usage.tsx'
import { formatMountSpec, parseMountSpec } from '../../core/container/mount-spec.ts'
import type { BudgetLimits } from '../../core/types.ts'
import { ChatFormBody, CreateGroupBody, FolderParams, MemoryBody } from '../api/schemas.ts'
import type { AuthGuard } from '../auth/guard.ts'
import type { WebServices } from '../services.ts'
import type { RenderPage } from './render.tsx'
import { fragment } from './render.tsx'

/** A number field: empty means no limit. */
const Limit = (what: string, integer: boolean) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check(
        (s) => s === '' || (Number.isFinite(Number(s)) && Number(s) >= 0),
        `${what}: a number of at least 0`,
      ),
      v.check((s) => !integer || s === '' || Number.isInteger(Number(s)), `${what}: a whole number`),
      v.transform((s) => (s === '' ? undefined : Number(s))),
    ),
  )
const BudgetForm = v.object({
  dailyUsd: Limit('daily budget', false),
  monthlyUsd: Limit('monthly budget', false),
  dailyTokens: Limit('daily tokens', true),
  monthlyTokens: Limit('monthly tokens', true),
  policy: v.optional(v.picklist(['hold', 'drop'])),
})

function budgetFromForm(body: v.InferOutput<typeof BudgetForm>): BudgetLimits | undefined {
  const { policy, ...limits } = body
  const set = Object.fromEntries(Object.entries(limits).filter(([, x]) => x !== undefined))
  return Object.keys(set).length > 0 ? { ...set, policy: policy ?? 'hold' } : undefined
}

const SettingsForm = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'name must not be empty'), v.maxLength(100)),
  triggerMode: v.picklist(['always', 'mention', 'pattern']),
  triggerPattern: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.transform((s) => (s === '' ? undefined : s)),
    ),
  ),
  network: v.optional(v.picklist(['', 'bridge', 'none', 'host'])),
  /** One `host:container[:ro]` per line; absent leaves the mounts as they are. */
  mounts: v.optional(v.pipe(v.string(), v.maxLength(20_000))),
})

/** Groups list and group detail: chat, live activity, memory editor, settings, bindings. */
export function groupsPages(deps: {
  guard: AuthGuard
  render: RenderPage
  services: WebServices
  /** Latency probe: POST received → handed to the pipeline. */
  onChatHandedOver?: (ms: number) => void
}) {
  const { groups, webChat, chats } = deps.services
  return new Elysia()
    .use(deps.guard)
    .get('/groups', ({ principal }) =>
      deps.render(principal, {
        title: 'Groups',
        active: '/groups',
        body: <GroupsPage groups={groups.list()} />,
      }),
    )
    .post(
      '/groups',
      ({ body }) => {
        const g = groups.create(body)
        return fragment('', 200, { 'hx-redirect': `/groups/${g.folder}` })
      },
      { body: CreateGroupBody },
    )
    .get(
      '/groups/:folder',
      ({ principal, params }) => {
        const group = groups.get(params.folder)
        return deps.render(principal, {
          title: group.name,
          active: '/groups',
          live: `/ws/ui?view=group&group=${group.folder}`,
          body: (
            <GroupDetailPage
              group={group}
              messages={chats.messages(webChat.jidOf(group.folder), { limit: 100 })}
              memory={groups.readMemory(group.folder)}
              mounts={(group.settings.extraMounts ?? []).map(formatMountSpec).join('\n')}
              chats={groups.chatsOf(group.folder)}
              tokens={groups.activeBindTokens(group.folder)}
              charts={<UsageCharts data={deps.services.usage.charts(group.folder)} group={group.folder} />}
            />
          ),
        })
      },
      { params: FolderParams },
    )
    .post(
      '/groups/:folder/chat',
      async ({ params, body, principal }) => {
        const t0 = performance.now()
        // A browser sends an empty file part when no file was picked.
        const files = [body.file ?? []].flat().filter((f) => f.size > 0)
        await webChat.post({
          groupFolder: params.folder,
          text: body.text ?? '',
          senderName: principal.username,
          files,
        })
        deps.onChatHandedOver?.(performance.now() - t0)
        // The message itself arrives over the page's WebSocket (message.in), like the reply.
        return new Response(null, { status: 204 })
      },
      { params: FolderParams, body: ChatFormBody },
    )
    .put(
      '/groups/:folder/memory',
      ({ params, body }) => {
        groups.writeMemory(params.folder, body.text)
        return fragment(<Notice text="Memory saved." />)
      },
      { params: FolderParams, body: MemoryBody },
    )
    .put(
      '/groups/:folder/settings',
      ({ params, body }) => {
        const current = groups.get(params.folder)
        const network = body.network === '' ? undefined : body.network
        const extraMounts =
          body.mounts === undefined
            ? current.settings.extraMounts
            : body.mounts
                .split('\n')
                .filter((line) => line.trim() !== '')
                .map(parseMountSpec)
        groups.update(params.folder, {
          name: body.name,
          triggerMode: body.triggerMode,
          triggerPattern: body.triggerPattern,
          settings: { ...current.settings, network, extraMounts },
        })
        return fragment(<Notice text="Settings saved." />)
      },
      { params: FolderParams, body: SettingsForm },
    )
    .put(
      '/groups/:folder/budget',
      ({ params, body }) => {
        const { budget: _, ...rest } = groups.get(params.folder).settings
        const budget = budgetFromForm(body)
        groups.update(params.folder, { settings: budget ? { ...rest, budget } : rest })
        return fragment(<Notice text={budget ? 'Budget saved.' : 'Budget removed.'} />)
      },
      { params: FolderParams, body: BudgetForm },
    )
    .post(
      '/groups/:folder/tokens',
      ({ params }) => fragment(<TokenNotice token={groups.createBindToken(params.folder)} />),
      { params: FolderParams },
    )
}
