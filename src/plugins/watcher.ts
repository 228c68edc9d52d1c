import { type FSWatcher, mkdirSync, watch } from 'node:fs'
import type { Logger } from '../util/log.ts'

export interface PluginWatcherDeps {
  dir: string
  log: Logger
  /** Quiet time after the last change before reloading: an editor's save is several events. */
  debounceMs?: number
  reload(): Promise<void>
}

export interface PluginWatcher {
  stop(): void
}

/**
 * Watches the plugins folder (the folder, not each file, so files that editors replace by rename
 * and new files are seen) and reloads after changes settle. One reload at a time; a change during a
 * reload schedules one more.
 */
export function watchPluginDir(deps: PluginWatcherDeps): PluginWatcher {
  const debounceMs = deps.debounceMs ?? 150
  mkdirSync(deps.dir, { recursive: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  let running: Promise<void> | undefined
  let again = false
  let stopped = false
  const run = () => {
    timer = undefined
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = deps
      .reload()
      .catch((error) =>
        deps.log.warn('plugin reload failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        running = undefined
        if (again && !stopped) {
          again = false
          run()
        }
      })
  }
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(deps.dir, { persistent: false }, (_event, name) => {
      if (name && !/\.(ts|js)$/.test(String(name))) return
      if (timer) clearTimeout(timer)
      timer = setTimeout(run, debounceMs)
    })
  } catch (error) {
    deps.log.warn('plugin folder not watched: edits need a restart', {
      dir: deps.dir,
      error: error instanceof Error ? error.message : String(error),
    })
  }
  return {
    stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      watcher?.close()
    },
  }
}
