import type { Group, Task, TaskRun } from '../../src/core/types.ts'
import { StatusBadge, TaskRow } from '../components.tsx'
import { fmtDuration, fmtTime, RESET_ON_SUCCESS } from '../format.ts'

export function TasksPage({ tasks, groups }: { tasks: Task[]; groups: Group[] }) {
  return (
    <>
      <h2>New task</h2>
      <form
        hx-post="/tasks"
        hx-target="#tasks-body"
        hx-swap="afterbegin"
        {...RESET_ON_SUCCESS}
        class="stack"
        aria-label="New task"
      >
        <label for="t-group">Group</label>
        <select id="t-group" name="groupFolder" required>
          {groups.map((g) => (
            <option value={g.folder} safe>
              {g.folder}
            </option>
          ))}
        </select>
        <label for="t-prompt">Prompt</label>
        <textarea id="t-prompt" name="prompt" required rows="3" />
        <label for="t-type">Schedule</label>
        <select id="t-type" name="scheduleType">
          <option value="interval">interval (e.g. 30m, 2h)</option>
          <option value="cron">cron (e.g. 0 9 * * 1-5)</option>
          <option value="once">once (e.g. 2030-01-31T09:00)</option>
        </select>
        <label for="t-value">When</label>
        <input id="t-value" name="scheduleValue" required />
        <label for="t-context">Context</label>
        <select id="t-context" name="contextMode">
          <option value="isolated">isolated (fresh session)</option>
          <option value="group">group (the group's session)</option>
        </select>
        <button type="submit" class="primary">
          Create task
        </button>
      </form>
      <h2>Tasks</h2>
      <div class="table-wrap">
        <table class="cards">
          <thead>
            <tr>
              <th>Id</th>
              <th>Group</th>
              <th>Prompt</th>
              <th>Schedule</th>
              <th>Status</th>
              <th>Next run</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody id="tasks-body">
            {tasks.map((t) => (
              <TaskRow task={t} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

export function TaskDetailPage({ task, runs }: { task: Task; runs: TaskRun[] }) {
  return (
    <>
      <dl>
        <dt>Group</dt>
        <dd safe>{task.groupFolder}</dd>
        <dt>Chat</dt>
        <dd safe>{task.chatJid}</dd>
        <dt>Schedule</dt>
        <dd safe>{`${task.scheduleType}: ${task.scheduleValue} (${task.contextMode})`}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={task.status} />
        </dd>
        <dt>Next run</dt>
        <dd>{fmtTime(task.nextRunAt)}</dd>
      </dl>
      <h2>Prompt</h2>
      <pre safe>{task.prompt}</pre>
      <h2>History</h2>
      <div class="table-wrap">
        <table class="cards">
          <thead>
            <tr>
              <th>Started</th>
              <th>Duration</th>
              <th>Status</th>
              <th>Run</th>
              <th>Result / error</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr>
                <td>{fmtTime(r.startedAt)}</td>
                <td>{fmtDuration(r.startedAt, r.finishedAt)}</td>
                <td>
                  <StatusBadge status={r.status} />
                </td>
                <td>
                  {r.runId ? (
                    <a href={`/runs/${encodeURIComponent(r.runId)}`} safe>
                      {r.runId}
                    </a>
                  ) : (
                    ''
                  )}
                </td>
                <td class="prompt" safe>
                  {r.error ?? r.result ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}
