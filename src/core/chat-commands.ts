import type { Group } from './types.ts'

/**
 * `/help` and `/status`, answered by ngb itself in any chat (bound or not) without running the
 * agent. Only the bare command counts: "/status of the build?" is a normal message.
 */

export type GroupActivity = 'running' | 'queued' | 'idle'

export interface ChatCommandsDeps {
  assistantName: string
  version: string
  groupOfChat(chatJid: string): Group | undefined
  /** What the group's agent is doing now; omitted where the queue is not available. */
  groupActivity?(folder: string): GroupActivity
}

export interface ChatCommandInput {
  /** The chat (without thread). */
  chatJid: string
  text: string
  isGroup: boolean
}

export interface ChatCommands {
  /** The reply for a chat command, or undefined when the text is not one. */
  reply(input: ChatCommandInput): string | undefined
}

export type ChatCommandName = 'help' | 'status'

/** The command parser for one assistant name; the pattern is compiled once (it runs per message). */
export function createChatCommandParser(
  assistantName: string,
): (text: string) => ChatCommandName | undefined {
  const name = assistantName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const re = new RegExp(`^\\s*(?:@${name}[,:]?\\s+)?[/!](help|status)(?:@\\S+)?\\s*$`, 'iu')
  return (text) => {
    const cmd = re.exec(text)?.[1]?.toLowerCase()
    return cmd === 'help' || cmd === 'status' ? cmd : undefined
  }
}

export function parseChatCommand(text: string, assistantName: string): ChatCommandName | undefined {
  return createChatCommandParser(assistantName)(text)
}

function triggerLine(group: Group, assistantName: string, isGroup: boolean): string {
  if (group.triggerMode === 'always') return `I answer every message here.`
  if (group.triggerMode === 'pattern') return `I answer messages matching \`${group.triggerPattern ?? ''}\`.`
  return isGroup
    ? `I answer when mentioned (@${assistantName}) or replied to.`
    : `I answer when addressed as @${assistantName}.`
}

export function createChatCommands(deps: ChatCommandsDeps): ChatCommands {
  const { assistantName } = deps

  function help(input: ChatCommandInput): string {
    const group = deps.groupOfChat(input.chatJid)
    const lines = [`**${assistantName}** (ngb ${deps.version})`, '']
    if (group) {
      lines.push(
        `This chat is connected to the group "${group.name}". ${triggerLine(group, assistantName, input.isGroup)}`,
      )
    } else {
      lines.push(
        'This chat is not connected to a group yet, so I stay silent here.',
        'To connect it, run `ngb groups token <folder>` on the server and send the code (`ngb-…`) in this chat.',
      )
    }
    lines.push(
      '',
      'Commands: `/help` (this text), `/status` (what this chat is connected to and what the agent is doing).',
    )
    return lines.join('\n')
  }

  function status(input: ChatCommandInput): string {
    const group = deps.groupOfChat(input.chatJid)
    const lines = [`Chat: \`${input.chatJid}\``]
    if (!group) {
      lines.push('Group: none (not connected; send `/help` to see how)')
    } else {
      lines.push(`Group: ${group.name} (\`${group.folder}\`${group.isMain ? ', main' : ''})`)
      lines.push(
        `Trigger: ${group.triggerMode}${group.triggerMode === 'pattern' ? ` \`${group.triggerPattern ?? ''}\`` : ''}`,
      )
      if (deps.groupActivity) lines.push(`Agent: ${deps.groupActivity(group.folder)}`)
    }
    lines.push(`ngb ${deps.version}`)
    return lines.join('\n')
  }

  const parse = createChatCommandParser(assistantName)
  return {
    reply(input) {
      const cmd = parse(input.text)
      if (cmd === 'help') return help(input)
      if (cmd === 'status') return status(input)
      return undefined
    },
  }
}
