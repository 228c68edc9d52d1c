import { afterAll, describe, expect } from 'bun:test'
import { docker, dockerTest } from '../helpers/docker.ts'
import { tempDir } from '../helpers/temp.ts'
import { waitFor } from '../helpers/wait.ts'
import { type ServeProcess, startServe } from '../web/browser/serve.ts'

const PASSWORD = 'image-pass-1'
const TAG = `ngb-agent:wait-${crypto.randomUUID().slice(0, 8)}`

interface Msg {
  text: string
  fromBot: boolean
}

/** A logged-in JSON client for one serve (cookie + CSRF token, as the dashboard's own requests). */
async function client(url: string) {
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: PASSWORD }),
  })
  const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
  const page = await (await fetch(`${url}/`, { headers: { cookie } })).text()
  const csrf = /X-CSRF-Token&#34;:&#34;([^&]+)&#34;/.exec(page)?.[1] ?? ''
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  return { call, page: async () => (await fetch(`${url}/`, { headers: { cookie } })).text() }
}

describe('ngb serve without an agent image', () => {
  let serve: ServeProcess | undefined
  afterAll(async () => {
    await serve?.stop()
    const ours = docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])
      .out.split('\n')
      .filter((t) => t.startsWith(TAG))
    if (ours.length > 0) docker(['rmi', '-f', ...ours])
  })

  dockerTest(
    'says so once, offers the build, keeps the message waiting and answers it once the image exists',
    async () => {
      serve = await startServe(tempDir('ngb-image-'), {
        NGB_ADMIN_PASSWORD: PASSWORD,
        NGB_CONTAINER_IMAGE: TAG,
      })
      const s = serve
      const { call, page } = await client(s.url)
      expect((await call('POST', '/api/groups', { folder: 'main', name: 'Main' })).status).toBe(201)

      const status = await waitFor(async () => {
        const body = (await (await call('GET', '/api/image')).json()) as Record<string, unknown>
        return body.present === false ? body : undefined
      }, 'the image watch to report the image missing')
      expect(status).toEqual({ image: TAG, present: false, building: false })
      const overview = await page()
      expect(overview).toContain(`The agent image <code>${TAG}</code> is missing.`)
      expect(overview).toContain('hx-post="/api/image/build"')

      const posted = await call('POST', '/api/groups/main/messages', { text: 'hello while missing' })
      expect(posted.status).toBe(202)
      const { chatJid } = (await posted.json()) as { chatJid: string }
      const messages = async () =>
        (await (await call('GET', `/api/messages?chatJid=${encodeURIComponent(chatJid)}`)).json()) as Msg[]
      await waitFor(
        async () => (await messages()).some((m) => m.text === 'hello while missing'),
        'the message stored',
      )
      // Held, not failed: no run has started and nothing went back to the chat.
      expect((await (await call('GET', '/api/runs')).json()) as unknown[]).toEqual([])
      expect((await messages()).filter((m) => m.fromBot)).toEqual([])

      const build = await call('POST', '/api/image/build')
      expect(build.status).toBe(202)
      const reply = await waitFor(
        async () => (await messages()).find((m) => m.fromBot),
        'the held message to be answered after the build',
        60_000,
        100,
      )
      expect(reply.text).toBe('mock: hello while missing')
      expect((await messages()).filter((m) => m.fromBot)).toHaveLength(1)
      // One run, and it succeeded: the turn waited instead of failing on the missing image and retrying.
      const runs = (await (await call('GET', '/api/runs')).json()) as Array<{ status: string }>
      expect(runs).toHaveLength(1)
      expect(['running', 'ok']).toContain(runs[0]?.status ?? 'none')
      expect(((await (await call('GET', '/api/image')).json()) as { present: boolean }).present).toBe(true)
      expect(await page()).not.toContain('is missing')
      const warnings = s
        .stderr()
        .split('\n')
        .filter((l) => l.includes(`the agent image ${TAG} is missing`))
      expect(warnings).toHaveLength(1)
    },
    120_000,
  )
})
