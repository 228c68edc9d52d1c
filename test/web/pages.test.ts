import { describe, expect, test } from 'bun:test'
import { createTestWeb } from './harness.ts'

const web = await createTestWeb()
const hx = { 'hx-request': 'true' }

/** A form post as htmx sends it: urlencoded, with the session's CSRF header. */
async function form(method: string, path: string, fields: Record<string, string> = {}) {
  const res = await web.app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: {
        cookie: web.cookie,
        'x-csrf-token': web.csrf,
        'content-type': 'application/x-www-form-urlencoded',
        ...hx,
      },
      body: new URLSearchParams(fields).toString(),
    }),
  )
  return { status: res.status, text: await res.text(), headers: res.headers }
}

describe('page actions (htmx forms)', () => {
  test('create a group → HX-Redirect to its page; a bad folder → 422 fragment for #flash', async () => {
    const ok = await form('POST', '/groups', {
      folder: 'main',
      name: 'Main',
      triggerMode: 'always',
      triggerPattern: '',
    })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('hx-redirect')).toBe('/groups/main')
    const bad = await form('POST', '/groups', { folder: 'Bad Folder', name: 'x' })
    expect(bad.status).toBe(422)
    expect(bad.headers.get('hx-retarget')).toBe('#flash')
    expect(bad.text).toContain('role="alert"')
  })

  test('memory, settings, bind token', async () => {
    expect((await form('PUT', '/groups/main/memory', { text: '# hi' })).text).toContain('Memory saved')
    expect(web.services.groups.readMemory('main')).toBe('# hi')
    const s = await form('PUT', '/groups/main/settings', {
      name: 'Main 2',
      triggerMode: 'pattern',
      triggerPattern: '^hey',
      network: 'none',
    })
    expect(s.text).toContain('Settings saved')
    expect(web.services.groups.get('main')).toMatchObject({
      name: 'Main 2',
      triggerPattern: '^hey',
      settings: { network: 'none' },
    })
    expect(
      (await form('PUT', '/groups/main/settings', { name: 'x', triggerMode: 'pattern', triggerPattern: '(' }))
        .status,
    ).toBe(422)
    expect((await form('POST', '/groups/main/tokens')).text).toMatch(/ngb-[0-9a-f]{12}/)
  })

  test('extra mounts: one host:container[:ro] per line in the settings form; a "." path is refused', async () => {
    const base = { name: 'Main 2', triggerMode: 'always', network: '' }
    const bad = await form('PUT', '/groups/main/settings', { ...base, mounts: '/srv/data:.' })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('extra mount 1 (/srv/data)')
    const ok = await form('PUT', '/groups/main/settings', {
      ...base,
      mounts: '/srv/data:data:ro\n\n/srv/b:b\n',
    })
    expect(ok.text).toContain('Settings saved')
    expect(web.services.groups.get('main').settings.extraMounts).toEqual([
      { hostPath: '/srv/data', containerPath: 'data', readonly: true },
      { hostPath: '/srv/b', containerPath: 'b', readonly: false },
    ])
    const page = await web.app.handle(
      new Request('http://localhost/groups/main', { headers: { cookie: web.cookie, accept: 'text/html' } }),
    )
    expect(await page.text()).toContain('/srv/data:data:ro\n/srv/b:b')
  })

  test('chat post answers 204 and publishes message.in; empty text is 422', async () => {
    expect((await form('POST', '/groups/main/chat', { text: 'hello' })).status).toBe(204)
    expect(web.events.some((e) => e.type === 'message.in' && e.message.text === 'hello')).toBe(true)
    expect((await form('POST', '/groups/main/chat', { text: '   ' })).status).toBe(422)
  })

  test('tasks: create row, pause/resume/run now, delete', async () => {
    const created = await form('POST', '/tasks', {
      groupFolder: 'main',
      prompt: 'daily <b>report</b>',
      scheduleType: 'interval',
      scheduleValue: '1h',
      contextMode: 'isolated',
    })
    expect(created.status).toBe(201)
    expect(created.text).toContain('daily &lt;b&gt;report&lt;/b&gt;')
    const id = web.services.tasks.list()[0]?.id ?? ''
    expect((await form('POST', `/tasks/${id}/pause`)).text).toContain('Resume')
    expect((await form('POST', `/tasks/${id}/resume`)).text).toContain('Pause')
    expect((await form('POST', `/tasks/${id}/run`)).status).toBe(200)
    expect((await form('DELETE', `/tasks/${id}`)).status).toBe(200)
    expect(web.services.tasks.list()).toEqual([])
    expect(
      (
        await form('POST', '/tasks', {
          groupFolder: 'main',
          prompt: 'x',
          scheduleType: 'once',
          scheduleValue: 'yesterday',
        })
      ).status,
    ).toBe(422)
  })

  test('bind and unbind a chat', async () => {
    web.repos.chats.upsert({ jid: 'discord:9', platform: 'discord', name: 'x', isGroup: true }, 1)
    const bound = await form('POST', '/chats/bind', { chatJid: 'discord:9', groupFolder: 'main' })
    expect(bound.text).toContain('href="/groups/main"')
    expect(web.repos.chats.bindingOf('discord:9')?.groupFolder).toBe('main')
    expect((await form('POST', '/chats/unbind', { chatJid: 'discord:9' })).status).toBe(200)
    expect((await form('POST', '/chats/bind', { chatJid: 'discord:9', groupFolder: 'nope' })).status).toBe(
      404,
    )
  })

  test('channels, plugins, tokens, sessions', async () => {
    expect((await form('POST', '/channels/telegram/disable')).text).toContain('Enable')
    expect((await form('POST', '/channels/nosuch/enable')).status).toBe(404)
    expect((await form('POST', '/plugins/mention/disable')).text).toContain('Enable')
    expect((await form('PUT', '/plugins/mention/config', { config: '{"x": 1}' })).text).toContain(
      '&quot;x&quot;: 1',
    )
    expect((await form('PUT', '/plugins/mention/config', { config: 'not json' })).status).toBe(422)
    const tok = await form('POST', '/settings/tokens', { name: 'scraper' })
    expect(tok.text).toMatch(/ngb_[\w-]+/)
    const id = web.auth.listApiTokens().find((t) => t.name === 'scraper')?.id ?? ''
    expect((await form('POST', `/settings/tokens/${id}/revoke`)).text).toContain('Revoked')
    web.repos.sessions.set('main', 's-9', 1)
    expect((await form('POST', '/sessions/main/reset', { scope: 'group' })).text).toContain('Session reset')
    expect(web.repos.sessions.get('main')).toBeUndefined()
  })

  test('logout ends the session', async () => {
    const r = await form('POST', '/logout')
    expect(r.headers.get('hx-redirect')).toBe('/login')
    const after = await web.app.handle(
      new Request('http://localhost/api/groups', { headers: { cookie: web.cookie } }),
    )
    expect(after.status).toBe(401)
  })
})
