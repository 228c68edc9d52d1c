import type { PluginInfo } from '../../src/web/services.ts'

function PluginRow({ p }: { p: PluginInfo }) {
  return (
    <tr id={`plugin-${p.name}`}>
      <td safe>{p.name}</td>
      <td safe>{p.hooks.join(', ')}</td>
      <td>{p.calls}</td>
      <td>{p.errors}</td>
      <td>{p.timeouts}</td>
      <td safe>{p.lastError ?? ''}</td>
    </tr>
  )
}

/** Only what the plugin host really runs; nothing to switch or configure until plugins are loaded. */
export function PluginsPage({ plugins }: { plugins: PluginInfo[] }) {
  if (plugins.length === 0) {
    return (
      <section class="card" id="plugins-none">
        <h2>No plugins are loaded</h2>
        <p class="muted">
          This ngb runs no plugins: messages, replies and agent runs go through unchanged. Plugins the host
          loads will be listed here with their hook counters.
        </p>
      </section>
    )
  }
  const columns = ['Plugin', 'Hooks', 'Calls', 'Errors', 'Time-outs', 'Last error']
  return (
    <table class="cards">
      <thead>
        <tr>
          {columns.map((c) => (
            <th safe>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {plugins.map((p) => (
          <PluginRow p={p} />
        ))}
      </tbody>
    </table>
  )
}
