/**
 * Mention detection and normalisation. Every platform spells "@bot" differently; the agent and the
 * trigger check only ever see `@<assistant name>`, so one rule covers all platforms.
 */

export interface MentionResult {
  text: string
  mentionsBot: boolean
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** True when the text is addressed to the assistant by name, e.g. "@Andy, what is …". */
export function addressesAssistant(text: string, assistantName: string): boolean {
  return new RegExp(`^\\s*@${escapeRegExp(assistantName)}(?![\\p{L}\\p{N}_-])`, 'iu').test(text)
}

export interface TelegramEntity {
  type: string
  offset: number
  length: number
  user?: { id: number }
}

export interface TelegramMentionInput {
  text: string
  entities?: readonly TelegramEntity[]
  botId: number
  botUsername: string
  assistantName: string
  replyToBot: boolean
}

/** Entity offsets are UTF-16 code units, which is what JS string indices are. */
export function normalizeTelegramMentions(input: TelegramMentionInput): MentionResult {
  const { assistantName, botUsername } = input
  let text = input.text
  let mentioned = input.replyToBot
  const sorted = [...(input.entities ?? [])].sort((a, b) => b.offset - a.offset)
  for (const e of sorted) {
    const piece = text.slice(e.offset, e.offset + e.length)
    const isBotMention =
      (e.type === 'mention' && piece.toLowerCase() === `@${botUsername.toLowerCase()}`) ||
      (e.type === 'text_mention' && e.user?.id === input.botId)
    if (isBotMention) {
      mentioned = true
      text = `${text.slice(0, e.offset)}@${assistantName}${text.slice(e.offset + e.length)}`
    } else if (e.type === 'bot_command' && piece.toLowerCase().endsWith(`@${botUsername.toLowerCase()}`)) {
      // "/help@my_bot" in a group is addressed to us; the command itself stays.
      mentioned = true
      text = `${text.slice(0, e.offset)}${piece.slice(0, piece.length - botUsername.length - 1)}${text.slice(e.offset + e.length)}`
    }
  }
  return { text, mentionsBot: mentioned || addressesAssistant(text, assistantName) }
}

export interface DiscordMentionInput {
  content: string
  botId: string
  /** Roles managed by the bot: mentioning one addresses the bot. */
  botRoleIds?: readonly string[]
  /** Users mentioned in the message, to turn `<@id>` into readable `@name`. */
  users?: readonly { id: string; username: string; global_name?: string | null }[]
  assistantName: string
  replyToBot: boolean
}

export function normalizeDiscordMentions(input: DiscordMentionInput): MentionResult {
  let mentioned = input.replyToBot
  const names = new Map((input.users ?? []).map((u) => [u.id, u.global_name ?? u.username]))
  const roles = new Set(input.botRoleIds ?? [])
  const text = input.content
    .replace(/<@!?(\d+)>/g, (whole, id: string) => {
      if (id === input.botId) {
        mentioned = true
        return `@${input.assistantName}`
      }
      const name = names.get(id)
      return name ? `@${name}` : whole
    })
    .replace(/<@&(\d+)>/g, (whole, id: string) => {
      if (!roles.has(id)) return whole
      mentioned = true
      return `@${input.assistantName}`
    })
  return { text, mentionsBot: mentioned || addressesAssistant(text, input.assistantName) }
}

export interface SlackMentionInput {
  text: string
  botUserId: string
  assistantName: string
}

/** Also undoes Slack's own escaping (`&amp;` …) and link syntax, so the agent reads plain text. */
export function normalizeSlackMentions(input: SlackMentionInput): MentionResult {
  let mentioned = false
  const text = input.text
    .replace(/<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g, (_whole, id: string, label?: string) => {
      if (id === input.botUserId) {
        mentioned = true
        return `@${input.assistantName}`
      }
      return `@${label || id}`
    })
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#([CG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_w, id: string, name?: string) => `#${name || id}`)
    .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<((?:https?|mailto):[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
  return { text, mentionsBot: mentioned || addressesAssistant(text, input.assistantName) }
}
