/** The fake Messages API's wire format, checked directly (the real CLI drives it in test/integration). */
import { afterAll, describe, expect, test } from 'bun:test'
import { createFakeAnthropic } from './anthropic.ts'

const fake = createFakeAnthropic()
afterAll(() => fake.stop())

const post = (path: string, body: unknown) =>
  fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test-fake' },
    body: JSON.stringify(body),
  })

const user = (content: unknown) => ({ model: 'claude-x', messages: [{ role: 'user', content }] })

describe('fake Messages API', () => {
  test('streams the SSE events in API order, tool input as input_json_delta chunks', async () => {
    const res = await post('/v1/messages?beta=true', {
      ...user('run bash: echo "a long enough command"'),
      stream: true,
    })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((chunk) => {
        const [event, data] = chunk.split('\n')
        return {
          event: event?.slice('event: '.length),
          data: JSON.parse(data?.slice('data: '.length) ?? '{}'),
        }
      })
    const names = events.map((e) => e.event)
    expect(names[0]).toBe('message_start')
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop'])
    expect(events[0]?.data.message).toMatchObject({ role: 'assistant', model: 'claude-x', content: [] })
    const start = events.find((e) => e.event === 'content_block_start')?.data.content_block
    expect(start).toMatchObject({ type: 'tool_use', name: 'Bash', input: {} })
    const json = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => e.data.delta.partial_json)
      .join('')
    expect(JSON.parse(json)).toEqual({ command: 'echo "a long enough command"', description: 'fake' })
    expect(events.at(-2)?.data.delta.stop_reason).toBe('tool_use')
  })

  test('answers a tool_result with text, as plain JSON when not streaming', async () => {
    const res = await post('/v1/messages', user([{ type: 'tool_result', tool_use_id: 't', content: 'ok' }]))
    expect(await res.json()).toMatchObject({
      type: 'message',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'fake: tool result received' }],
    })
  })

  test('count_tokens, scripted and unknown-route errors are Anthropic-shaped', async () => {
    expect(await (await post('/v1/messages/count_tokens', user('hi'))).json()).toMatchObject({
      input_tokens: expect.any(Number),
    })
    const auth = await post('/v1/messages', user('fail auth'))
    expect(auth.status).toBe(401)
    expect(await auth.json()).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    })
    const missing = await fetch(`${fake.url}/v1/models`)
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.type).toBe('not_found_error')
  })

  test('records every request with its headers and body', () => {
    expect(fake.requests.length).toBeGreaterThanOrEqual(5)
    const first = fake.requests[0]
    expect(first).toMatchObject({ method: 'POST', path: '/v1/messages', search: '?beta=true' })
    expect(first?.headers['x-api-key']).toBe('sk-ant-test-fake')
    expect(fake.messageBodies()[0]?.stream).toBe(true)
  })
})
