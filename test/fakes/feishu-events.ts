import { createCipheriv, createHash, randomBytes } from 'node:crypto'
import { createRecorder } from './recorder.ts'

/**
 * Feishu's side of the HTTP event subscription: encrypts an event with the Encrypt Key, signs it
 * (`X-Lark-Signature`), POSTs it to the webhook URL, and pushes it again when it got no 200.
 */
export function createFeishuEventPoster() {
  const encryptKey = 'fakeFeishuEncryptKey'
  const verificationToken = 'fakeFeishuVerificationToken'
  const deliveries = createRecorder<{ messageId: string; status: number }>()
  let webhookUrl = ''
  let failDelivery = 0
  let chain: Promise<void> = Promise.resolve()
  let counter = 0

  function encryptBody(inner: Record<string, unknown>): string {
    const iv = randomBytes(16)
    const cipher = createCipheriv('aes-256-cbc', createHash('sha256').update(encryptKey).digest(), iv)
    const ct = Buffer.concat([cipher.update(JSON.stringify(inner)), cipher.final()])
    return JSON.stringify({ encrypt: Buffer.concat([iv, ct]).toString('base64') })
  }

  async function post(
    inner: Record<string, unknown>,
    opts: { signWith?: string; unsigned?: boolean } = {},
    target = webhookUrl,
  ): Promise<Response> {
    const body = encryptBody(inner)
    const timestamp = String(Math.floor(Date.now() / 1000))
    const nonce = String(++counter)
    const signature = createHash('sha256')
      .update(timestamp + nonce + (opts.signWith ?? encryptKey) + body)
      .digest('hex')
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (!opts.unsigned)
      Object.assign(headers, {
        'x-lark-request-timestamp': timestamp,
        'x-lark-request-nonce': nonce,
        'x-lark-signature': signature,
      })
    return fetch(target, { method: 'POST', headers, body })
  }

  return {
    encryptKey,
    verificationToken,
    deliveries,
    post,
    active: () => webhookUrl !== '',
    setUrl(url: string) {
      webhookUrl = url
    },
    failNextDelivery() {
      failDelivery++
    },
    /** Feishu pushes again when it got no 200 (faster here than its real schedule). */
    deliver(event: Record<string, unknown>, messageId: string) {
      const inner = { ...event, header: { ...(event.header as object), token: verificationToken } }
      chain = chain.then(async () => {
        for (let attempt = 0; attempt < 4; attempt++) {
          const target = failDelivery > 0 ? 'http://127.0.0.1:9/' : webhookUrl
          if (failDelivery > 0) failDelivery--
          const status = await post(inner, {}, target)
            .then(async (r) => {
              await r.arrayBuffer()
              return r.status
            })
            .catch(() => 0)
          deliveries.record({ messageId, status })
          if (status === 200) return
          await Bun.sleep(50 * (attempt + 1))
        }
      })
    },
    idle: () => chain,
  }
}
