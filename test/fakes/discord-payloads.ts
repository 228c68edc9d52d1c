import type { DiscordUser } from './discord.ts'

/** Gateway payloads in the shapes Discord sends (discord.js needs a realistic GUILD_CREATE to turn ready). */

let snowflake = 1_300_000_000_000_000_000n
export const nextId = () => String(++snowflake)

export function user(u: DiscordUser) {
  return { discriminator: '0', avatar: null, global_name: null, bot: false, ...u }
}

export function message(
  id: string,
  m: { channelId: string; guildId?: string; author: DiscordUser; content: string; mentions?: DiscordUser[] },
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    channel_id: m.channelId,
    ...(m.guildId
      ? {
          guild_id: m.guildId,
          member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
        }
      : {}),
    author: user(m.author),
    content: m.content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: (m.mentions ?? []).map(user),
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    ...extra,
  }
}

export function guildCreatePayload(ids: { guildId: string; channelId: string; threadId: string }) {
  const { guildId, channelId, threadId } = ids
  const now = new Date().toISOString()
  return {
    id: guildId,
    name: 'fake guild',
    icon: null,
    owner_id: '1',
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    system_channel_flags: 0,
    premium_tier: 0,
    nsfw_level: 0,
    preferred_locale: 'en-US',
    features: [],
    emojis: [],
    stickers: [],
    roles: [
      {
        id: guildId,
        name: '@everyone',
        permissions: '1071698660929',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    channels: [
      {
        id: channelId,
        type: 0,
        guild_id: guildId,
        name: 'general',
        position: 0,
        permission_overwrites: [],
      },
    ],
    threads: [
      {
        id: threadId,
        type: 11,
        guild_id: guildId,
        parent_id: channelId,
        name: 'a thread',
        owner_id: '1',
        thread_metadata: {
          archived: false,
          auto_archive_duration: 1440,
          archive_timestamp: now,
          locked: false,
        },
      },
    ],
    members: [],
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    joined_at: now,
    large: false,
    unavailable: false,
    member_count: 2,
  }
}
