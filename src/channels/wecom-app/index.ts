import type { Channel, ChannelContext } from '../../core/channel/channel.ts'
import type { WebhookRequest, WebhookRouter } from '../../core/channel/webhooks.ts'
import type { Logger } from '../../util/log.ts'
import { utf8Length } from '../../util/utf8.ts'
import { createHealthState } from '../shared/health.ts'
import { createAppApi } from './api.ts'
import {
  type CallbackKeys,
  fromAppXml,
  openEnvelope,
  signedParams,
  verifySignature,
  xmlField,
} from './callback.ts'
import { parseAppTarget, WECOM_APP, WECOM_APP_MAX_MESSAGE_BYTES } from './target.ts'

export interface WecomAppChannelDeps {
  corpId: string
  corpSecret: string
  agentId: string
  /** The callback's Token and EncodingAESKey, set with the URL in the app's admin page. */
  callbackToken: string
  encodingAesKey: string
  /** Default https://qyapi.weixin.qq.com. */
  apiBase?: string
  hooks: WebhookRouter
  assistantName: string
  log: Logger
}

const refused = () => new Response('signature refused', { status: 401 })

/**
 * WeCom self-built app: encrypted callbacks on `/hooks/wecom-app`, replies through the REST API. It
 * reaches members in single chats (and groups the app created, `wecom-app:group:<chatid>`); group
 * chats with @-mentions need the AI bot mode.
 */
export function createWecomAppChannel(deps: WecomAppChannelDeps): Channel {
  const log = deps.log.child({ component: WECOM_APP })
  const keys: CallbackKeys = {
    token: deps.callbackToken,
    encodingAesKey: deps.encodingAesKey,
    corpId: deps.corpId,
  }
  const api = createAppApi({
    apiBase: deps.apiBase ?? 'https://qyapi.weixin.qq.com',
    corpId: deps.corpId,
    corpSecret: deps.corpSecret,
    agentId: deps.agentId,
  })
  let ctx: ChannelContext | undefined
  const health = createHealthState((next) => ctx?.onStatus(next))
  let unmount: (() => void) | undefined

  const setHealth = health.set

  /** Answers inside WeCom's 5 s: the message is only stored and queued here, the agent runs later. */
  async function handle(req: WebhookRequest): Promise<Response> {
    const params = signedParams(req.url)
    if (req.method === 'GET') {
      // URL verification when the callback is saved in the admin page: echo the decrypted echostr.
      const echostr = req.url.searchParams.get('echostr') ?? ''
      if (!verifySignature(keys, params, echostr)) return refused()
      const plain = openEnvelope(keys, echostr)
      return plain === undefined ? refused() : new Response(plain)
    }
    if (req.method !== 'POST') return new Response('method not allowed', { status: 405 })
    // The signature covers the Encrypt field, so that one field is read before anything is trusted.
    const encrypt = xmlField(new TextDecoder().decode(req.body), 'Encrypt') ?? ''
    if (!verifySignature(keys, params, encrypt)) return refused()
    const xml = openEnvelope(keys, encrypt)
    if (xml === undefined) return refused()
    const message = fromAppXml(xml, deps.assistantName)
    // WeCom retries an unanswered callback 3 times with the same MsgId.
    // A redelivered event goes on too: the pipeline's persist step drops it by (chat, message id).
    if (message) await ctx?.onInbound(message)
    return new Response('')
  }

  return {
    name: WECOM_APP,
    maxMessageLength: WECOM_APP_MAX_MESSAGE_BYTES,
    measureLength: utf8Length,
    async connect(context) {
      ctx = context
      await health.startWith(() => api.accessToken())
      unmount ??= deps.hooks.mount(WECOM_APP, handle)
      setHealth({ status: 'connected' })
      log.info(`callback mounted at /hooks/${WECOM_APP}`)
    },
    async disconnect() {
      unmount?.()
      unmount = undefined
      setHealth({ status: 'disconnected' })
    },
    send: (jid, text) => api.send(parseAppTarget(jid), text),
    health: health.get,
  }
}
