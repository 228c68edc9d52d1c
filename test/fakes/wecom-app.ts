import { encrypt, getSignature } from '@wecom/crypto'
import type { Server } from 'bun'
import type { FailureKind, Recorder } from './recorder.ts'
import { createRecorder } from './recorder.ts'

/**
 * A local WeCom for a self-built app: `gettoken`, `message/send`, `appchat/send` (errors as HTTP 200
 * + errcode), and the platform's side of the callback: it encrypts and signs message XML and POSTs
 * it to the configured webhook URL, retrying an unanswered delivery the way WeCom does (3 times).
 */

export interface WecomAppCall {
  path: string
  token: string
  body: Record<string, unknown>
  errcode: number
  at: number
}

export interface WecomAppFake {
  apiBase: string
  corpId: string
  corpSecret: string
  agentId: string
  callbackToken: string
  encodingAesKey: string
  calls: Recorder<WecomAppCall>
  /** Every callback POST and its HTTP status (0 = connection refused). */
  deliveries: Recorder<{ msgId: string; status: number; at: number }>
  tokensIssued: () => number
  setWebhookUrl(url: string): void
  injectText(m: { user: string; text: string }): string
  redeliver(msgId: string): void
  failNext(failure: FailureKind): void
  /** The next delivery attempt meets a closed port (ngb down); WeCom's retry then reaches it. */
  failNextDelivery(): void
  expireTokens(): void
  /** Signs and posts a callback as WeCom would; `signWith` forges it with another token. */
  postCallback(xml: string, opts?: { signWith?: string }): Promise<number>
  /** The GET verification WeCom makes when the callback URL is saved. */
  verifyUrl(echo: string, opts?: { signWith?: string }): Promise<{ status: number; body: string }>
  stop(): Promise<void>
}

let counter = 0

export function startWecomAppFake(): WecomAppFake {
  const corpId = 'ww0000fakecorp01'
  const corpSecret = 'fake-wecom-corp-secret'
  const agentId = '1000002'
  const callbackToken = 'fakeCallbackToken'
  const encodingAesKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C'
  const calls = createRecorder<WecomAppCall>()
  const deliveries = createRecorder<{ msgId: string; status: number; at: number }>()
  const failures: FailureKind[] = []
  const validTokens = new Set<string>()
  const sentXml = new Map<string, string>()
  let issued = 0
  let webhookUrl = ''
  let failDelivery = 0
  let chain: Promise<void> = Promise.resolve()

  function answer(path: string, token: string, body: Record<string, unknown>): Record<string, unknown> {
    if (!validTokens.has(token)) return { errcode: 42001, errmsg: 'access_token expired' }
    const forced = failures.shift()
    if (forced?.kind === 'rate_limit') return { errcode: 45009, errmsg: 'api freq out of limit' }
    if (forced) return { errcode: -1, errmsg: 'system busy' }
    const content = String((body.markdown as { content?: string } | undefined)?.content ?? '')
    if (Buffer.byteLength(content, 'utf8') > 2048)
      return { errcode: 45002, errmsg: 'content size out of limit' }
    if (path === '/cgi-bin/message/send' && String(body.agentid) !== agentId)
      return { errcode: 40056, errmsg: 'invalid agentid' }
    return { errcode: 0, errmsg: 'ok', msgid: `sent${++counter}` }
  }

  const server: Server<undefined> = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      if (url.pathname === '/cgi-bin/gettoken') {
        const ok =
          url.searchParams.get('corpid') === corpId && url.searchParams.get('corpsecret') === corpSecret
        if (!ok) return Response.json({ errcode: 40001, errmsg: 'invalid credential' })
        const t = `at-${++issued}`
        validTokens.add(t)
        return Response.json({ errcode: 0, errmsg: 'ok', access_token: t, expires_in: 7200 })
      }
      const token = url.searchParams.get('access_token') ?? ''
      const body = (await req.json().catch(() => ({}))) as Record<string, unknown>
      const res = answer(url.pathname, token, body)
      calls.record({ path: url.pathname, token, body, errcode: Number(res.errcode), at: Date.now() })
      return Response.json(res)
    },
  })

  function envelope(xml: string, signWith = callbackToken) {
    const enc = encrypt(encodingAesKey, xml, corpId)
    const timestamp = String(Math.floor(Date.now() / 1000))
    const nonce = String(++counter)
    const q = new URLSearchParams({
      msg_signature: getSignature(signWith, timestamp, nonce, enc),
      timestamp,
      nonce,
    })
    const body = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[${agentId}]]></AgentID><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`
    return { q, body }
  }

  async function postCallback(xml: string, opts: { signWith?: string } = {}, target = webhookUrl) {
    const { q, body } = envelope(xml, opts.signWith)
    const res = await fetch(`${target}?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
    })
    await res.arrayBuffer()
    return res.status
  }

  /** WeCom retries a callback not answered with 200 (3 times, 5 s apart; faster here). */
  function deliver(msgId: string, xml: string) {
    chain = chain.then(async () => {
      for (let attempt = 0; attempt < 4; attempt++) {
        const target = failDelivery > 0 ? 'http://127.0.0.1:9/' : webhookUrl
        if (failDelivery > 0) failDelivery--
        const status = await postCallback(xml, {}, target).catch(() => 0)
        deliveries.record({ msgId, status, at: Date.now() })
        if (status === 200) return
        await Bun.sleep(50 * (attempt + 1))
      }
    })
  }

  return {
    apiBase: `http://127.0.0.1:${server.port}`,
    corpId,
    corpSecret,
    agentId,
    callbackToken,
    encodingAesKey,
    calls,
    deliveries,
    tokensIssued: () => issued,
    setWebhookUrl(url) {
      webhookUrl = url
    },
    injectText(m) {
      if (!webhookUrl) throw new Error('no webhook URL set on the WeCom app fake')
      const msgId = String(7_000_000_000_000_000_000n + BigInt(++counter))
      const xml = `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[${m.user}]]></FromUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${m.text}]]></Content><MsgId>${msgId}</MsgId><AgentID>${agentId}</AgentID></xml>`
      sentXml.set(msgId, xml)
      deliver(msgId, xml)
      return msgId
    },
    redeliver(msgId) {
      const xml = sentXml.get(msgId)
      if (!xml) throw new Error(`no callback carried MsgId ${msgId}`)
      deliver(msgId, xml)
    },
    failNext(failure) {
      failures.push(failure)
    },
    failNextDelivery() {
      failDelivery++
    },
    expireTokens() {
      validTokens.clear()
    },
    postCallback: (xml, opts) => postCallback(xml, opts),
    async verifyUrl(echo, opts = {}) {
      const echostr = encrypt(encodingAesKey, echo, corpId)
      const timestamp = String(Math.floor(Date.now() / 1000))
      const nonce = String(++counter)
      const sig = getSignature(opts.signWith ?? callbackToken, timestamp, nonce, echostr)
      const q = new URLSearchParams({ msg_signature: sig, timestamp, nonce, echostr })
      const res = await fetch(`${webhookUrl}?${q}`)
      return { status: res.status, body: await res.text() }
    },
    async stop() {
      await chain
      await server.stop(true)
    },
  }
}
