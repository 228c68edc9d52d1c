import { describe, expect, test } from 'bun:test'
import { createChatCommands, parseChatCommand } from '../../src/core/chat-commands.ts'
import type { Group } from '../../src/core/types.ts'

const group: Group = {
  folder: 'team',
  name: 'Team',
  isMain: false,
  triggerMode: 'mention',
  settings: {},
  createdAt: 0,
}

describe('parseChatCommand', () => {
  test.each([
    ['/help', 'help'],
    [' /STATUS ', 'status'],
    ['!help', 'help'],
    ['@Andy /status', 'status'],
    ['@andy, /help', 'help'],
    ['/help@some_bot', 'help'],
    ['/status of the build?', undefined],
    ['please /help', undefined],
    ['/helpme', undefined],
  ])('%p → %p', (text, expected) => {
    expect(parseChatCommand(text, 'Andy')).toBe(expected as 'help' | 'status' | undefined)
  })
})

describe('chat commands', () => {
  const commands = createChatCommands({
    assistantName: 'Andy',
    version: '9.9.9',
    groupOfChat: (jid) => (jid === 'telegram:1' ? group : undefined),
    groupActivity: () => 'running',
  })

  test('help in an unbound chat explains how to bind it', () => {
    const r = commands.reply({ chatJid: 'telegram:2', text: '/help', isGroup: false })
    expect(r).toContain('not connected')
    expect(r).toContain('ngb groups token')
  })

  test('status in a bound chat names the group, trigger and activity', () => {
    const r = commands.reply({ chatJid: 'telegram:1', text: '/status', isGroup: true })
    expect(r).toContain('Group: Team (`team`)')
    expect(r).toContain('Trigger: mention')
    expect(r).toContain('Agent: running')
    expect(r).toContain('ngb 9.9.9')
  })

  test('ordinary text is not a command', () => {
    expect(commands.reply({ chatJid: 'telegram:1', text: 'hello', isGroup: false })).toBeUndefined()
  })
})
