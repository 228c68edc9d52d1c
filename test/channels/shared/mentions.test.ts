import { describe, expect, test } from 'bun:test'
import {
  addressesAssistant,
  normalizeDiscordMentions,
  normalizeSlackMentions,
  normalizeTelegramMentions,
} from '../../../src/channels/shared/mentions.ts'

describe('telegram mentions', () => {
  const base = { botId: 9, botUsername: 'my_bot', assistantName: 'Andy', replyToBot: false }
  test('an @username entity of the bot becomes @Andy', () => {
    const r = normalizeTelegramMentions({
      ...base,
      text: 'hi @my_bot, go',
      entities: [{ type: 'mention', offset: 3, length: 7 }],
    })
    expect(r).toEqual({ text: 'hi @Andy, go', mentionsBot: true })
  })
  test('other users are left alone; offsets count UTF-16 units', () => {
    const text = '😀 @ann @my_bot x'
    const r = normalizeTelegramMentions({
      ...base,
      text,
      entities: [
        { type: 'mention', offset: 3, length: 4 },
        { type: 'mention', offset: 8, length: 7 },
      ],
    })
    expect(r).toEqual({ text: '😀 @ann @Andy x', mentionsBot: true })
  })
  test('/cmd@bot is a mention and loses the suffix; a reply to the bot counts', () => {
    expect(
      normalizeTelegramMentions({
        ...base,
        text: '/help@my_bot',
        entities: [{ type: 'bot_command', offset: 0, length: 12 }],
      }),
    ).toEqual({
      text: '/help',
      mentionsBot: true,
    })
    expect(normalizeTelegramMentions({ ...base, text: 'yes', replyToBot: true }).mentionsBot).toBe(true)
    expect(normalizeTelegramMentions({ ...base, text: 'no mention here' }).mentionsBot).toBe(false)
  })
})

describe('discord mentions', () => {
  test('bot and role mentions become @Andy, other users their name', () => {
    const r = normalizeDiscordMentions({
      content: '<@!1> and <@&7> ask <@2> and <@3>',
      botId: '1',
      botRoleIds: ['7'],
      users: [{ id: '2', username: 'ann' }],
      assistantName: 'Andy',
      replyToBot: false,
    })
    expect(r).toEqual({ text: '@Andy and @Andy ask @ann and <@3>', mentionsBot: true })
  })
})

describe('slack mentions', () => {
  test('bot mention becomes @Andy and Slack escaping is undone', () => {
    const r = normalizeSlackMentions({
      text: '<@UBOT> see <https://x.io|x> &amp; <@U1|ann> in <#C1|general> &lt;3',
      botUserId: 'UBOT',
      assistantName: 'Andy',
    })
    expect(r).toEqual({ text: '@Andy see x (https://x.io) & @ann in #general <3', mentionsBot: true })
  })
})

test('addressing the assistant by name at the start counts, in the middle does not', () => {
  expect(addressesAssistant('@andy hello', 'Andy')).toBe(true)
  expect(addressesAssistant('@Andyx hello', 'Andy')).toBe(false)
  expect(addressesAssistant('hello @Andy', 'Andy')).toBe(false)
})
