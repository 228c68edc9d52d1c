import { decrypt, getSignature } from '@wecom/crypto'
import * as v from 'valibot'
import type { InboundMessage } from '../../core/channel/channel.ts'
import { sameSecret } from '../../util/hmac.ts'
import { addressesAssistant } from '../shared/mentions.ts'
import { WECOM_APP } from './target.ts'

/**
 * The self-built app's encrypted callback: `msg_signature = sha1(sort(token, timestamp, nonce,
 * encrypt))`, the payload AES-256-CBC under the EncodingAESKey, wrapping `random ‖ length ‖ xml ‖
 * corpId`. Everything here is pure; the webhook handler in app.ts does the I/O.
 */
export interface CallbackKeys {
  token: string
  encodingAesKey: string
  corpId: string
}

export interface SignedParams {
  signature: string | null
  timestamp: string | null
  nonce: string | null
}

export function signedParams(url: URL): SignedParams {
  return {
    signature: url.searchParams.get('msg_signature'),
    timestamp: url.searchParams.get('timestamp'),
    nonce: url.searchParams.get('nonce'),
  }
}

/** True when `msg_signature` signs `encrypt` with our token (compared in constant time). */
export function verifySignature(keys: CallbackKeys, p: SignedParams, encrypt: string): boolean {
  if (!p.signature || !p.timestamp || !p.nonce) return false
  return sameSecret(p.signature.toLowerCase(), getSignature(keys.token, p.timestamp, p.nonce, encrypt))
}

/** Decrypts and checks the receive id is our corp (a message for another corp is refused). */
export function openEnvelope(keys: CallbackKeys, encrypt: string): string | undefined {
  try {
    const { message, id } = decrypt(keys.encodingAesKey, encrypt)
    return id === keys.corpId ? message : undefined
  } catch {
    return undefined
  }
}

/** One field of WeCom's flat XML (CDATA or plain); WeCom never nests the fields we read. */
export function xmlField(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${name}>`).exec(xml)
  return m ? (m[1] ?? m[2]) : undefined
}

const AppMessage = v.object({
  FromUserName: v.pipe(v.string(), v.minLength(1)),
  MsgType: v.string(),
  Content: v.optional(v.string()),
  MsgId: v.pipe(v.string(), v.minLength(1)),
  CreateTime: v.optional(v.string()),
})

/** A decrypted callback → InboundMessage; app messages are always single chats with one member. */
export function fromAppXml(xml: string, assistantName: string): InboundMessage | undefined {
  const parsed = v.safeParse(AppMessage, {
    FromUserName: xmlField(xml, 'FromUserName'),
    MsgType: xmlField(xml, 'MsgType'),
    Content: xmlField(xml, 'Content'),
    MsgId: xmlField(xml, 'MsgId'),
    CreateTime: xmlField(xml, 'CreateTime'),
  })
  if (!parsed.success) return undefined
  const m = parsed.output
  const text = m.Content?.trim() ?? ''
  if (m.MsgType !== 'text' || text === '') return undefined
  return {
    jid: `${WECOM_APP}:user:${m.FromUserName}`,
    senderJid: `${WECOM_APP}:user:${m.FromUserName}`,
    senderName: m.FromUserName,
    messageId: m.MsgId,
    text,
    isGroup: false,
    mentionsBot: addressesAssistant(text, assistantName),
    ts: m.CreateTime ? Number(m.CreateTime) * 1000 : undefined,
  }
}
