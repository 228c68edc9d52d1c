import { timingSafeEqual } from 'node:crypto'
import type { Update } from 'grammy/types'
import type { Logger } from '../../util/log.ts'

export interface TelegramWebhookOptions {
  /** The public HTTPS URL Telegram posts to; its path is the one served here. */
  url: string
  /** Local port; a TLS proxy in front forwards the public URL to it. */
  port: number
  hostname?: string
}

export interface WebhookServer {
  stop(): Promise<void>
}

/** Telegram accepts 1-256 characters of A-Z, a-z, 0-9, _ and -. */
export function newWebhookSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

function sameSecret(given: string | null, expected: string): boolean {
  if (given === null) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

function isUpdate(x: unknown): x is Update {
  return typeof x === 'object' && x !== null && typeof (x as { update_id?: unknown }).update_id === 'number'
}

/**
 * Receives updates Telegram posts to the webhook. Only requests carrying the secret given to
 * setWebhook (header X-Telegram-Bot-Api-Secret-Token) are accepted; the answer is sent after the
 * update was handed on, so a failure makes Telegram deliver it again.
 */
export function startWebhookServer(
  opts: TelegramWebhookOptions & { secret: string; log: Logger; onUpdate(update: Update): Promise<void> },
): WebhookServer {
  const path = new URL(opts.url).pathname
  const server = Bun.serve({
    hostname: opts.hostname ?? '127.0.0.1',
    port: opts.port,
    async fetch(req) {
      if (new URL(req.url).pathname !== path) return new Response('not found', { status: 404 })
      if (req.method !== 'POST') return new Response('method not allowed', { status: 405 })
      if (!sameSecret(req.headers.get('x-telegram-bot-api-secret-token'), opts.secret)) {
        opts.log.warn('webhook request without the right secret token refused')
        return new Response('unauthorized', { status: 401 })
      }
      let body: unknown
      try {
        body = await req.json()
      } catch {
        return new Response('bad request', { status: 400 })
      }
      if (!isUpdate(body)) return new Response('bad request', { status: 400 })
      await opts.onUpdate(body)
      return new Response(null, { status: 200 })
    },
  })
  return { stop: () => server.stop(true) }
}
