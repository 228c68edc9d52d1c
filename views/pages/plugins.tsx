import type { PluginInfo } from '../../src/web/services.ts'
import { fmtTime } from '../format.ts'

/** Plugin names may hold "." (file plugins); ids and selectors get a safe spelling. */
const domId = (name: string) => `plugin-${name.replace(/[^a-zA-Z0-9_-]/g, '_')}`

/** The plugin's state in words, with the badge colour of a matching status. */
function State({ p }: { p: PluginInfo }) {
  const [cls, label] = !p.loaded
    ? ['error', 'not loaded']
    : p.running
      ? ['active', 'running']
      : ['disabled', 'disabled']
  return (
    <span class={`badge s-${cls}`} safe>
      {label}
    </span>
  )
}

/** One row of the live table: refreshed every 2 s, so errors and reloads show without a reload. */
export function PluginStatusRow({ p }: { p: PluginInfo }) {
  return (
    <tr>
      <td safe>{p.name}</td>
      <td safe>
        {p.source === 'file'
          ? `file ${p.file?.replace(/^.*[\\/]/, '') ?? ''}`
          : p.source === 'builtin'
            ? 'built-in'
            : p.source}
      </td>
      <td safe>{p.version ?? ''}</td>
      <td>
        <State p={p} />
      </td>
      <td>{p.errors > 0 ? `${p.errors}${p.timeouts > 0 ? ` (${p.timeouts} timed out)` : ''}` : '0'}</td>
      <td safe>{p.lastError ? `${p.lastErrorAt ? `${fmtTime(p.lastErrorAt)} ` : ''}${p.lastError}` : ''}</td>
    </tr>
  )
}

export function PluginStatusTable({ plugins }: { plugins: PluginInfo[] }) {
  return (
    <div
      id="plugins-status"
      hx-get="/plugins/status"
      hx-trigger="every 2s, plugins-changed from:body"
      hx-swap="outerHTML"
    >
      <table class="cards">
        <thead>
          <tr>
            <th>Plugin</th>
            <th>Source</th>
            <th>Version</th>
            <th>State</th>
            <th>Errors</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {plugins.map((p) => (
            <PluginStatusRow p={p} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function PluginRow({ p }: { p: PluginInfo }) {
  const id = domId(p.name)
  const path = `/plugins/${encodeURIComponent(p.name)}`
  const controllable = p.loaded || p.source !== 'file'
  return (
    <section id={id} class="card">
      <h2 safe>{p.name}</h2>
      <p class="muted" safe>
        {p.description}
      </p>
      <p>
        <State p={p} /> {p.enabled ? 'enabled' : 'disabled'}
        {p.lastError ? (
          <span class="muted" safe>
            {' '}
            — last error: {p.lastError}
          </span>
        ) : (
          ''
        )}
      </p>
      {controllable ? (
        <>
          <button
            type="button"
            hx-post={`${path}/${p.enabled ? 'disable' : 'enable'}`}
            hx-target={`#${id}`}
            hx-swap="outerHTML"
          >
            {p.enabled ? 'Disable' : 'Enable'}
          </button>
          <form hx-put={`${path}/config`} hx-target={`#${id}`} hx-swap="outerHTML" class="stack">
            <label for={`cfg-${id}`}>Config (JSON)</label>
            <textarea id={`cfg-${id}`} name="config" rows="4" safe>
              {JSON.stringify(p.config, null, 2)}
            </textarea>
            <button type="submit">Save config</button>
          </form>
        </>
      ) : (
        ''
      )}
    </section>
  )
}

export function PluginsPage({ plugins, dir }: { plugins: PluginInfo[]; dir?: string }) {
  return (
    <>
      <p class="muted" safe>
        What the plugin host runs now. Built-ins are off until enabled; plugin files
        {dir ? ` in ${dir}` : ''} are loaded, and reloaded when they change, while ngb serve runs.
      </p>
      <PluginStatusTable plugins={plugins} />
      <div class="grid">
        {plugins.map((p) => (
          <PluginRow p={p} />
        ))}
      </div>
    </>
  )
}
