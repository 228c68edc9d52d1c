import type { PluginInfo } from '../../src/web/services.ts'

export function PluginRow({ p }: { p: PluginInfo }) {
  return (
    <section id={`plugin-${p.name}`} class="card">
      <h2 safe>{p.name}</h2>
      <p class="muted" safe>
        {p.description}
      </p>
      <button
        type="button"
        hx-post={`/plugins/${p.name}/${p.enabled ? 'disable' : 'enable'}`}
        hx-target={`#plugin-${p.name}`}
        hx-swap="outerHTML"
      >
        {p.enabled ? 'Disable' : 'Enable'}
      </button>
      <form
        hx-put={`/plugins/${p.name}/config`}
        hx-target={`#plugin-${p.name}`}
        hx-swap="outerHTML"
        class="stack"
      >
        <label for={`cfg-${p.name}`}>Config (JSON)</label>
        <textarea id={`cfg-${p.name}`} name="config" rows="4" safe>
          {JSON.stringify(p.config, null, 2)}
        </textarea>
        <button type="submit">Save config</button>
      </form>
    </section>
  )
}

export function PluginsPage({ plugins }: { plugins: PluginInfo[] }) {
  return (
    <>
      <p class="muted">Built-in plugins. External plugins appear here once the plugin host loads them.</p>
      <div class="grid">
        {plugins.map((p) => (
          <PluginRow p={p} />
        ))}
      </div>
    </>
  )
}
