import { ActivityItem, ImageBanner, MessageItem, RunRow, TaskRow } from '../../views/components.tsx'
import { UsageCharts } from '../../views/usage.tsx'
import type { NgbEvent } from '../core/events.ts'
import type { RunsService, UsageService, WebChatService, WebTasksService } from './services.ts'

/** A frame for htmx's ws extension: swap `content` into `target` with `swap`. */
export interface UiFrame {
  target: string
  swap: string
  content: string
}

export type LiveView = 'overview' | 'group' | 'tasks' | 'runs' | 'chats'

export interface LiveFilter {
  view: LiveView
  group?: string
}

export interface LiveDeps {
  runs: RunsService
  /** The charts' data; charts are re-rendered when a run finishes. */
  usage?: Pick<UsageService, 'charts'>
  tasks: WebTasksService
  webChat: WebChatService
  now: () => number
}

export function groupOf(e: NgbEvent): string | undefined {
  return 'group' in e ? e.group : undefined
}

function charts(usage: Pick<UsageService, 'charts'>, group?: string): UiFrame {
  return {
    target: '#usage-charts',
    swap: 'outerHTML',
    content: String(<UsageCharts data={usage.charts(group)} group={group} />),
  }
}

/** Which fragments a page showing `filter` needs for one event; [] when the event is not its business. */
export function renderLive(deps: LiveDeps, filter: LiveFilter, e: NgbEvent): UiFrame[] {
  // A result frame also arrives as run.output; showing both would print every reply twice.
  if (e.type === 'run.activity' && e.frame.type === 'result') return []
  const activity = (): UiFrame => ({
    target: '#activity',
    swap: 'afterbegin',
    content: String(<ActivityItem event={e} at={deps.now()} />),
  })
  const runningRows = (): UiFrame => ({
    target: '#active-runs',
    // htmx's ws extension skips an empty swap unless asked: the last finished run would stay listed.
    swap: 'innerHTML swapEmpty:true',
    content: deps.runs
      .running()
      .map((r) => String(<RunRow run={r} />))
      .join(''),
  })
  switch (filter.view) {
    case 'overview': {
      if (e.type === 'image.status')
        return [
          activity(),
          { target: '#image-banner', swap: 'outerHTML', content: String(<ImageBanner image={e} />) },
        ]
      const frames = [activity()]
      if (e.type === 'run.started' || e.type === 'run.finished') frames.push(runningRows())
      if (e.type === 'run.finished' && deps.usage) frames.push(charts(deps.usage))
      return frames
    }
    case 'group': {
      if (groupOf(e) !== filter.group || !filter.group) return []
      if (e.type === 'message.in' || e.type === 'message.out') {
        if (e.message.chatJid !== deps.webChat.jidOf(filter.group)) return [activity()]
        return [{ target: '#chat-log', swap: 'beforeend', content: String(<MessageItem m={e.message} />) }]
      }
      const frames = [activity()]
      if (e.type === 'run.started')
        frames.push({ target: '#agent-status', swap: 'innerHTML', content: 'The agent is working…' })
      if (e.type === 'run.finished')
        frames.push({ target: '#agent-status', swap: 'innerHTML', content: `Last run: ${e.run.status}` })
      if (e.type === 'run.finished' && deps.usage) frames.push(charts(deps.usage, filter.group))
      return frames
    }
    case 'tasks':
      if (!e.type.startsWith('task.')) return []
      return [
        {
          target: '#tasks-body',
          swap: 'innerHTML swapEmpty:true',
          content: deps.tasks
            .list()
            .map((t) => String(<TaskRow task={t} />))
            .join(''),
        },
      ]
    case 'runs':
      if (e.type !== 'run.started' && e.type !== 'run.finished') return []
      return [
        {
          target: '#runs-body',
          swap: 'innerHTML swapEmpty:true',
          content: deps.runs
            .list({ limit: 100 })
            .map((r) => String(<RunRow run={r} />))
            .join(''),
        },
      ]
    case 'chats':
      return []
  }
}
