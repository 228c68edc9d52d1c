import type { ChannelEntry } from '../../src/web/services.ts'
import { StatusBadge } from '../components.tsx'

export function ChannelRow({ c }: { c: ChannelEntry }) {
  return (
    <tr id={`channel-${c.name}`}>
      <td safe>{c.name}</td>
      <td>
        <StatusBadge status={c.status} />
      </td>
      <td safe>{c.detail ?? ''}</td>
      <td>
        <button
          type="button"
          hx-post={`/channels/${c.name}/${c.enabled ? 'disable' : 'enable'}`}
          hx-target={`#channel-${c.name}`}
          hx-swap="outerHTML"
        >
          {c.enabled ? 'Disable' : 'Enable'}
        </button>
      </td>
    </tr>
  )
}

export function ChannelsPage({ channels }: { channels: ChannelEntry[] }) {
  return (
    <table class="cards">
      <thead>
        <tr>
          <th>Channel</th>
          <th>Status</th>
          <th>Detail</th>
          <th>Action</th>
        </tr>
      </thead>
      <tbody>
        {channels.map((c) => (
          <ChannelRow c={c} />
        ))}
      </tbody>
    </table>
  )
}
