import type { ImageStatus } from '../src/core/container/image-watch.ts'
import type { NgbEvent } from '../src/core/events.ts'
import type { Run, StoredMessage, Task } from '../src/core/types.ts'
import { fmtDuration, fmtTime } from './format.ts'

export function ErrorFragment({ body }: { body: { error: string; message: string; details?: unknown } }) {
  const details = Array.isArray(body.details)
    ? (body.details as Array<{ path?: string; message: string }>)
    : []
  return (
    <div class="alert error" role="alert">
      <strong safe>{body.message}</strong>
      {details.length > 1 ? (
        <ul>
          {details.map((d) => (
            <li safe>{`${d.path ? `${d.path}: ` : ''}${d.message}`}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
    </div>
  )
}

export function Notice({ text }: { text: string }) {
  return (
    <div class="alert ok" role="status" safe>
      {text}
    </div>
  )
}

export function MessageItem({ m }: { m: StoredMessage }) {
  return (
    <li class={m.fromBot ? 'msg bot' : 'msg user'} id={`msg-${m.seq}`}>
      <div class="meta">
        <span class="sender" safe>
          {m.senderName}
        </span>{' '}
        <time>{fmtTime(m.ts)}</time>
      </div>
      <MessageBody m={m} />
    </li>
  )
}

const FILE_LINK = /^(?:([\s\S]*)\n\n)?(!?)\[([^\]\n]*)\]\((\/api\/groups\/[a-z0-9-]+\/files\/[^)\s]+)\)$/

/** Text, the files that came with it (images inline, others as links), or a file the agent sent. */
function MessageBody({ m }: { m: StoredMessage }) {
  const folder = /^web:([a-z0-9-]+)/.exec(m.chatJid)?.[1]
  const sent = m.fromBot ? FILE_LINK.exec(m.text) : null
  if (sent) {
    const [, caption, bang, name = '', url = ''] = sent
    return (
      <div class="text">
        {caption ? <div safe>{caption}</div> : ''}
        {bang ? (
          <img class="attachment" src={url} alt={name} />
        ) : (
          <a class="attachment" href={url} download="" safe>
            {name}
          </a>
        )}
      </div>
    )
  }
  return (
    <div class="text">
      <div safe>{m.text}</div>
      {(m.attachments ?? []).map((a) => {
        const url = folder
          ? `/api/groups/${folder}/files/${a.path.split('/').map(encodeURIComponent).join('/')}`
          : ''
        if (!url)
          return (
            <span class="attachment" safe>
              {a.name}
            </span>
          )
        return a.mimeType.startsWith('image/') ? (
          <img class="attachment" src={url} alt={a.name} />
        ) : (
          <a class="attachment" href={url} download="" safe>
            {a.name}
          </a>
        )
      })}
    </div>
  )
}

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge s-${status}`} safe>
      {status}
    </span>
  )
}

/** The runs table of the overview (active runs) and the runs page; `bodyId` is the live-update target. */
export function RunsTable({ runs, bodyId }: { runs: Run[]; bodyId: string }) {
  return (
    <div class="table-wrap">
      <table class="cards">
        <thead>
          <tr>
            <th>Run</th>
            <th>Group</th>
            <th>Trigger</th>
            <th>Status</th>
            <th>Started</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody id={bodyId}>
          {runs.map((r) => (
            <RunRow run={r} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function RunRow({ run }: { run: Run }) {
  return (
    <tr id={`run-${run.id}`}>
      <td data-label="Run">
        <a href={`/runs/${encodeURIComponent(run.id)}`} safe>
          {run.id}
        </a>
      </td>
      <td data-label="Group">
        <a href={`/groups/${encodeURIComponent(run.groupFolder)}`} safe>
          {run.groupFolder}
        </a>
      </td>
      <td data-label="Trigger" safe>
        {run.trigger}
      </td>
      <td data-label="Status">
        <StatusBadge status={run.status} />
      </td>
      <td data-label="Started">{fmtTime(run.startedAt)}</td>
      <td data-label="Duration">{fmtDuration(run.startedAt, run.finishedAt)}</td>
    </tr>
  )
}

export function TaskRow({ task }: { task: Task }) {
  const id = encodeURIComponent(task.id)
  return (
    <tr id={`task-${task.id}`}>
      <td data-label="Id">
        <a href={`/tasks/${id}`} safe>
          {task.id}
        </a>
      </td>
      <td data-label="Group" safe>
        {task.groupFolder}
      </td>
      <td data-label="Prompt" class="prompt" safe>
        {task.prompt}
      </td>
      <td data-label="Schedule" safe>{`${task.scheduleType}: ${task.scheduleValue}`}</td>
      <td data-label="Status">
        <StatusBadge status={task.status} />
      </td>
      <td data-label="Next run">{fmtTime(task.nextRunAt)}</td>
      <td data-label="Actions" class="actions">
        {task.status === 'active' ? (
          <button
            type="button"
            hx-post={`/tasks/${id}/pause`}
            hx-target={`#task-${task.id}`}
            hx-swap="outerHTML"
          >
            Pause
          </button>
        ) : (
          <button
            type="button"
            hx-post={`/tasks/${id}/resume`}
            hx-target={`#task-${task.id}`}
            hx-swap="outerHTML"
          >
            Resume
          </button>
        )}
        <button type="button" hx-post={`/tasks/${id}/run`} hx-target={`#task-${task.id}`} hx-swap="outerHTML">
          Run now
        </button>
        <button
          type="button"
          class="danger"
          hx-delete={`/tasks/${id}`}
          hx-confirm="Delete this task?"
          hx-target={`#task-${task.id}`}
          hx-swap="outerHTML"
        >
          Delete
        </button>
      </td>
    </tr>
  )
}

/**
 * Serve without an agent image: what is wrong, that messages wait, and the build (button + command).
 * Empty when the image exists, so the live update can clear it.
 */
export function ImageBanner({ image }: { image?: ImageStatus }) {
  if (image?.present !== false) return <div id="image-banner" />
  return (
    <div id="image-banner" class="alert warn" role="alert">
      <strong>
        The agent image <code safe>{image.image}</code> is missing.
      </strong>{' '}
      Messages are kept and wait; they are answered once it exists.{' '}
      {image.building ? (
        <span>Building it now…</span>
      ) : (
        <button type="button" hx-post="/api/image/build" hx-swap="none">
          Build it now
        </button>
      )}{' '}
      <span class="muted">
        or run <code>ngb image build</code>
      </span>
      {image.buildError ? (
        <p class="s-error" safe>
          The last build failed: {image.buildError}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

function describe(e: NgbEvent): string {
  switch (e.type) {
    case 'message.in':
    case 'message.out':
      return `${e.message.senderName}: ${e.message.text.slice(0, 200)}`
    case 'run.started':
    case 'run.finished':
      return `run ${e.run.id} (${e.run.trigger}) ${e.run.status}${e.run.error ? `: ${e.run.error}` : ''}`
    case 'run.activity':
      if (e.frame.type === 'activity') return `${e.frame.kind}: ${e.frame.summary}`
      if (e.frame.type === 'error') return `error (${e.frame.kind}): ${e.frame.message}`
      if (e.frame.type === 'result') return e.frame.text.slice(0, 200)
      return `session ${e.frame.sessionId}`
    case 'run.output':
      return e.text.slice(0, 200)
    case 'channel.status':
      return `${e.channel} ${e.status}${e.detail ? `: ${e.detail}` : ''}`
    case 'group.changed':
      return `group ${e.group} ${e.action}`
    case 'chat.bound':
    case 'chat.unbound':
      return `${e.chatJid} → ${e.group}`
    case 'image.status':
      return `${e.image} ${e.building ? 'building' : e.present ? 'present' : 'missing'}${e.buildError ? `: ${e.buildError}` : ''}`
    default:
      return `task ${e.task.id}: ${e.task.prompt.slice(0, 80)}`
  }
}

export function ActivityItem({ event, at }: { event: NgbEvent; at: number }) {
  const group = 'group' in event && event.group ? event.group : ''
  return (
    <li class={`ev ev-${event.type.replace('.', '-')}`}>
      <time>{fmtTime(at)}</time> <span class="kind">{event.type}</span>{' '}
      {group ? (
        <span class="grp" safe>
          {group}
        </span>
      ) : (
        ''
      )}{' '}
      <span class="what" safe>
        {describe(event)}
      </span>
    </li>
  )
}
