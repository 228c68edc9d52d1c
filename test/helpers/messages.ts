import type { StoredMessage } from '../../src/core/types.ts'

/** A stored message from Bob in a CLI room (not from the bot, no mention); `over` sets what a test is about. */
export const storedMessage = (text: string, over: Partial<StoredMessage> = {}): StoredMessage => ({
  chatJid: 'cli:room',
  id: 'm1',
  seq: 1,
  senderJid: 'cli:bob',
  senderName: 'Bob',
  text,
  ts: 1,
  fromBot: false,
  isGroup: false,
  mentionsBot: false,
  ...over,
})
