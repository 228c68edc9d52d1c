import { createDecipheriv, createHash } from 'node:crypto'
import type { WebhookRequest } from '../../core/channel/webhooks.ts'
import { sameSecret } from '../../util/hmac.ts'

/**
 * Feishu's HTTP event subscription with an Encrypt Key: `X-Lark-Signature =
 * sha256(timestamp + nonce + encrypt_key + raw body)`, the body `{"encrypt": base64}` with
 * AES-256-CBC under sha256(encrypt_key) and the IV in front of the ciphertext.
 */
export interface FeishuWebhookKeys {
  encryptKey: string
  verificationToken: string
}

export function feishuSignature(
  keys: FeishuWebhookKeys,
  timestamp: string,
  nonce: string,
  body: Uint8Array,
): string {
  return createHash('sha256')
    .update(timestamp + nonce + keys.encryptKey)
    .update(body)
    .digest('hex')
}

export function decryptFeishu(encryptKey: string, encrypted: string): string {
  const key = createHash('sha256').update(encryptKey).digest()
  const raw = Buffer.from(encrypted, 'base64')
  const decipher = createDecipheriv('aes-256-cbc', key, raw.subarray(0, 16))
  return Buffer.concat([decipher.update(raw.subarray(16)), decipher.final()]).toString('utf8')
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const refused = () => new Response('signature refused', { status: 401 })

/**
 * The `/hooks/feishu` handler. The signature over the raw bytes is checked before anything is
 * parsed; only Feishu's URL check (sent when the URL is saved, and unsigned) may come without one,
 * and it must then carry our verification token inside the encrypted body.
 */
export function createFeishuWebhook(keys: FeishuWebhookKeys, onEvent: (event: unknown) => Promise<void>) {
  return async (req: WebhookRequest): Promise<Response> => {
    if (req.method !== 'POST') return new Response('method not allowed', { status: 405 })
    const signature = req.headers.get('x-lark-signature')
    if (signature !== null) {
      const ts = req.headers.get('x-lark-request-timestamp') ?? ''
      const nonce = req.headers.get('x-lark-request-nonce') ?? ''
      if (!sameSecret(signature, feishuSignature(keys, ts, nonce, req.body))) return refused()
    }
    const outer = parseObject(new TextDecoder().decode(req.body))
    if (typeof outer?.encrypt !== 'string') return refused()
    let inner: Record<string, unknown> | undefined
    try {
      inner = parseObject(decryptFeishu(keys.encryptKey, outer.encrypt))
    } catch {
      return refused()
    }
    if (!inner) return refused()
    if (inner.type === 'url_verification') {
      if (!sameSecret(String(inner.token ?? ''), keys.verificationToken)) return refused()
      return Response.json({ challenge: inner.challenge })
    }
    if (signature === null) return refused()
    const header = inner.header as { token?: unknown; event_type?: unknown } | undefined
    if (!sameSecret(String(header?.token ?? ''), keys.verificationToken)) return refused()
    if (header?.event_type === 'im.message.receive_v1') await onEvent(inner.event)
    return Response.json({})
  }
}
